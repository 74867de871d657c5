package tfpeft.peft.lora;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.LoraConfig;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterDropout;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.AdapterWeights;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * LoRA at the Linear sites its patterns match: y = x W + b + s * hidden_dropout(dropout(x) A) B,
 * with A [in, r], B [r, out] (B zero at full precision, so the model starts as the pretrained
 * one). The input dropout is LoRA's own (Hu et al.); the hidden one is PETL-ViT's 1-bit LoRA
 * adapter, which applies Dropout(0.1) between its down and up matrices.
 */
public final class LoraSite implements SiteHook {
  /** The paper's placement: the query and value projections of every vision block. */
  public static final List<String> DEFAULT_TARGETS = List.of("block*/attn/q", "block*/attn/v");

  private final SitePatterns targets;
  private final float scale;
  private final float dropout;
  private final float hiddenDropout;
  private final AdapterWeights weights;

  public LoraSite(SitePatterns targets, float scale, float dropout, float hiddenDropout,
      AdapterWeights weights) {
    this.targets = targets;
    this.scale = scale;
    this.dropout = dropout;
    this.hiddenDropout = hiddenDropout;
    this.weights = weights;
  }

  /** The hook a config describes, reading its matrices from {@code weights}. */
  public static LoraSite of(LoraConfig c, AdapterWeights weights) {
    return new LoraSite(targets(c), c.getScale(), c.getDropout(), c.getHiddenDropout(), weights);
  }

  public static SitePatterns targets(LoraConfig c) {
    return new SitePatterns(c.getTargetsCount() == 0 ? DEFAULT_TARGETS : c.getTargetsList());
  }

  public static AdapterShape shape(LoraConfig c) {
    return new AdapterShape("lora_a", "lora_b", c.getRank(), c.getBits());
  }

  public SitePatterns targets() {
    return targets;
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    if (!targets.matches(site)) {
      return output;
    }
    long in = Shapes.lastDim(input, site);
    long out = Shapes.lastDim(output, site);
    AdapterWeights.Pair ab = weights.at(net, site, in, out);
    Ops tf = net.scope("peft_ops/" + site);
    Operand<TFloat32> x = AdapterDropout.apply(net, input, dropout);
    long r = ab.down().shape().get(1);
    Operand<TFloat32> h = AdapterDropout.apply(net, Shapes.matmulLast(tf, x, in, ab.down(), r),
        hiddenDropout);
    Operand<TFloat32> delta = Shapes.matmulLast(tf, h, r, ab.up(), out);
    // scale 1 (the common setting) adds the product as it is: no pass over [tokens, out] each way
    return tf.math.add(output, scale == 1f ? delta : tf.math.mul(delta, tf.constant(scale)));
  }
}
