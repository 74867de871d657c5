package tfpeft.peft.ssf;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * SSF-ADA at the sites its patterns match (the paper's Eq. 1): y = gamma * x + beta over the
 * last axis, x the output of a Linear (after its bias) or of a LayerNorm (after its affine),
 * gamma and beta under {@code <prefix><site>/scale} and {@code /shift}.
 */
final class ScaleShift implements SiteHook {
  static final String SCALE = "/scale";
  static final String SHIFT = "/shift";

  /** One scale and shift pair as built, at its position. */
  record Pair(ScaleShiftSites.Position position, ModelVariable scale, ModelVariable shift) {}

  private final String prefix;
  private final SitePatterns targets;
  private final float initStd;
  private final List<Pair> pairs = new ArrayList<>();

  ScaleShift(String prefix, SitePatterns targets, float initStd) {
    this.prefix = prefix;
    this.targets = targets;
    this.initStd = initStd;
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    return targets.matches(site) ? apply(net, site, false, output) : output;
  }

  @Override
  public Operand<TFloat32> layerNormOutput(Net net, String site, Operand<TFloat32> output) {
    return targets.matches(site) ? apply(net, site, true, output) : output;
  }

  private Operand<TFloat32> apply(Net net, String site, boolean layerNorm,
      Operand<TFloat32> x) {
    long d = Shapes.lastDim(x, site);
    // the official init_ssf_scale_shift: scale ~ N(1, std^2), shift ~ N(0, std^2)
    ModelVariable scale = net.variable(prefix + site + SCALE, new long[] {d},
        Init.normal(1f, initStd));
    ModelVariable shift = net.variable(prefix + site + SHIFT, new long[] {d},
        Init.normal(0f, initStd));
    // a tower built twice reuses its variables: the pair is still one
    if (pairs.stream().noneMatch(p -> p.scale() == scale)) {
      pairs.add(new Pair(new ScaleShiftSites.Position(site, layerNorm, d), scale, shift));
    }
    Ops tf = net.scope("peft_ops/" + site);
    return tf.math.add(tf.math.mul(x, scale.value()), shift.value());
  }

  /** The pairs built, in site order. */
  List<Pair> pairs() {
    return pairs;
  }
}
