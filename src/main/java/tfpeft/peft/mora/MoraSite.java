package tfpeft.peft.mora;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.MoraConfig;
import tfpeft.config.proto.MoraOperator;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.SitePatterns;
import tfpeft.peft.WeightDeltas;

/**
 * MoRA at the Linear sites its patterns match: y = x W + b + f_decomp(f_comp(x) M) with
 * M = {@code peft/mora/<site>/m} [r_hat, r_hat], zero at the start (the official
 * nn.init.zeros_). The operators are linear, so the update is the matrix they imply applied to
 * the identity: delta [in, out] = f_decomp(f_comp(I) M) ({@link MoraOperators}), and the weight
 * becomes W + delta. (The official code stores M as nn.Linear's weight, which is M transposed.)
 */
public final class MoraSite implements SiteHook {
  /** Where Pear's Table I compares MoRA with LoRA: the query and value projections. */
  public static final List<String> DEFAULT_TARGETS = List.of("block*/attn/q", "block*/attn/v");
  public static final String MATRIX = "m";

  private final String prefix;
  private final MoraConfig config;
  private final SitePatterns targets;
  private final WeightDeltas deltas = new WeightDeltas();
  private final Map<String, Operand<TFloat32>> compressions = new HashMap<>();

  public MoraSite(String prefix, MoraConfig config) {
    this.prefix = prefix;
    this.config = config;
    this.targets = targets(config);
  }

  public static SitePatterns targets(MoraConfig c) {
    return new SitePatterns(c.getTargetsCount() == 0 ? DEFAULT_TARGETS : c.getTargetsList());
  }

  @Override
  public Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    if (!targets.matches(site)) {
      return weight;
    }
    int in = (int) weight.shape().get(0);
    int out = (int) weight.shape().get(1);
    MoraOperator op = config.getOperator();
    int r = MoraOperators.rHat(in, out, config.getRank(), op);
    int chunks = MoraOperators.chunks(in, r);
    ModelVariable m = net.variable(prefix + site + "/" + MATRIX, new long[] {r, r},
        Init.zeros());
    Operand<TFloat32> k = compressions.computeIfAbsent(op + "/" + in + "/" + r,
        key -> compression(net, op, in, r, chunks));
    Ops tf = net.scope("peft_ops/" + site);
    Operand<TFloat32> h;
    int produced;
    if (op == MoraOperator.ROTATION) {
      // each chunk of each identity row times M, the chunks' outputs side by side
      h = tf.reshape(tf.linalg.matMul(k, m.value()), tf.constant(new int[] {in, chunks * r}));
      produced = chunks * r;
    } else {
      h = tf.linalg.matMul(k, m.value());
      produced = r;
    }
    if (produced < out) {
      h = tf.tile(h, tf.constant(new int[] {1, (out + produced - 1) / produced}));
    }
    Operand<TFloat32> delta = tf.slice(h, tf.constant(new int[] {0, 0}),
        tf.constant(new int[] {in, out}));
    deltas.add(site, m, delta);
    return tf.math.add(weight, delta);
  }

  /** The compression of the identity: [in * chunks, r] (ROTATION) or [in, r] (SHARING). */
  private static Operand<TFloat32> compression(Net net, MoraOperator op, int in, int r,
      int chunks) {
    Ops tf = net.scope("peft_ops/mora_" + op.name().toLowerCase() + "_" + in + "_" + r);
    return op == MoraOperator.ROTATION
        ? tf.constant(Shape.of((long) in * chunks, r),
            DataBuffers.of(MoraOperators.rotation(in, r), true, false))
        : tf.constant(Shape.of(in, r), DataBuffers.of(MoraOperators.sharing(in, r), true, false));
  }

  /** The sites that got an M, in build order, with their deltas. */
  public WeightDeltas deltas() {
    return deltas;
  }
}
