package tfpeft.peft.mask;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.graph.GradientOverrides;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * The binary weight mask of R-AMT (section 3.1) at every targeted Linear site: a real-valued mask
 * M of the weight's shape, initialized to {@code init}; the binary mask B = 1[M > threshold]; the
 * effective weight W * B. The gradient with respect to M is the gradient with respect to B, passed
 * straight through (one override of the shared dispatching gradient per application). Since every
 * mask starts above the threshold, B starts at 1 and the model is exactly the frozen one.
 *
 * <p>A site applied twice (a tower built a second time) reuses its mask variable. While
 * {@link #bypass} runs, sites are left alone: that builds the frozen zero-shot model in the same
 * graph, which gradient dropout and the KL ablation compare against.
 */
public final class MaskSite implements SiteHook {
  /** Variable prefix of the method's state. */
  public static final String PREFIX = "peft/mask/";

  /** One masked weight. */
  public record Masked(String site, ModelVariable mask, Operand<TFloat32> binary) {
    /** The frozen weight it multiplies. */
    public String weightName() {
      return "backbone/" + site + "/weight";
    }
  }

  private final MaskTargets targets;
  private final float init;
  private final float threshold;
  private final Map<String, Masked> masked = new LinkedHashMap<>();
  private final Map<String, Integer> applications = new HashMap<>();
  private boolean bypassed;

  public MaskSite(MaskTargets targets, float init, float threshold) {
    if (!(threshold < init)) {
      throw new IllegalArgumentException("the threshold " + threshold
          + " must be below the initial value " + init + " so that every mask starts at 1");
    }
    this.targets = targets;
    this.init = init;
    this.threshold = threshold;
  }

  @Override
  public Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    if (bypassed || !targets.masked(site)) {
      return weight;
    }
    String prefix = PREFIX + site;
    ModelVariable mask = net.variable(prefix + "/mask", weight.shape().asArray(),
        new Init.Constant(init));
    int n = applications.merge(site, 1, Integer::sum);
    String suffix = n == 1 ? "" : "_" + n;
    Ops tf = net.tf();
    Operand<TFloat32> binary = net.named(prefix + "/binary" + suffix).dtypes.cast(
        tf.math.greater(mask.value(), tf.constant(threshold)), TFloat32.class);
    Operand<TFloat32> gate = GradientOverrides.straightThrough(net.scope(prefix),
        "straight_through" + suffix, binary, mask.value());
    masked.putIfAbsent(site, new Masked(site, mask, binary));
    return net.named(prefix + "/masked_weight" + suffix).math.mul(weight, gate);
  }

  /** Builds {@code body} with every site unmasked (the frozen model), then masks again. */
  public <T> T bypass(java.util.function.Supplier<T> body) {
    boolean before = bypassed;
    bypassed = true;
    try {
      return body.get();
    } finally {
      bypassed = before;
    }
  }

  /** The masked sites in build order. */
  public List<Masked> masked() {
    return Collections.unmodifiableList(new ArrayList<>(masked.values()));
  }

  /** The real-valued mask variables, in build order. */
  public List<ModelVariable> maskVariables() {
    return masked.values().stream().map(Masked::mask).toList();
  }

  public MaskTargets targets() {
    return targets;
  }

  public float init() {
    return init;
  }

  public float threshold() {
    return threshold;
  }
}
