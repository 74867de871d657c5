package tfpeft.peft.clipadapter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.Shapes;

/**
 * CLIP-Adapter's residual feature adapter at the output of a tower's projection (the projected
 * feature f [N, E], before CLIP normalizes it, as the official code adapts
 * {@code encode_image}'s output): f' = alpha A(f) + (1 - alpha) f with
 * A(f) = ReLU(ReLU(f W1) W2), W1 [E, E / reduction], W2 [E / reduction, E], no biases (paper Eq.
 * 1-2; official {@code Adapter}: two bias-free Linears, each followed by a ReLU). Variables
 * {@code <prefix><tower>/fc1} and {@code fc2}, initialized as torch's {@code nn.Linear}
 * (uniform in +-1/sqrt(fan_in)).
 */
final class FeatureAdapter implements SiteHook {
  static final String FC1 = "fc1";
  static final String FC2 = "fc2";

  /** A tower the adapter sits on: its projection site and its variables' folder. */
  record Tower(String site, String name, float alpha) {}

  static final String VISUAL_SITE = "proj";
  static final String TEXT_SITE = "text/proj";

  private final String prefix;
  private final int reduction;
  private final Map<String, Tower> towers = new LinkedHashMap<>();
  private final Map<String, List<ModelVariable>> built = new LinkedHashMap<>();

  FeatureAdapter(String prefix, int reduction, List<Tower> towers) {
    this.prefix = prefix;
    this.reduction = reduction;
    towers.forEach(t -> this.towers.put(t.site(), t));
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    Tower tower = towers.get(site);
    if (tower == null) {
      return output;
    }
    long e = Shapes.lastDim(output, site);
    long hidden = e / reduction;
    if (hidden == 0) {
      throw TfpeftException.usage("method.clip_adapter.reduction: reduction " + reduction
          + " leaves no hidden unit of the " + e + "-wide features at " + site
          + " (hidden = width / reduction); use at most " + e);
    }
    String at = prefix + tower.name() + "/";
    ModelVariable fc1 = net.variable(at + FC1, new long[] {e, hidden},
        new Init.Uniform((float) (1 / Math.sqrt(e))));
    ModelVariable fc2 = net.variable(at + FC2, new long[] {hidden, e},
        new Init.Uniform((float) (1 / Math.sqrt(hidden))));
    built.put(tower.name(), List.of(fc1, fc2));
    Ops tf = net.scope("peft_ops/clip_adapter/" + tower.name());
    Operand<TFloat32> h = tf.nn.relu(Shapes.matmulLast(tf, output, e, fc1.value(), hidden));
    Operand<TFloat32> a = tf.nn.relu(Shapes.matmulLast(tf, h, hidden, fc2.value(), e));
    return blend(tf, a, output, tower.alpha());
  }

  /** alpha a + (1 - alpha) f: the residual-style blend of paper Eq. 3. */
  static Operand<TFloat32> blend(Ops tf, Operand<TFloat32> a, Operand<TFloat32> f,
      float alpha) {
    return tf.math.add(tf.math.mul(tf.constant(alpha), a), tf.math.mul(tf.constant(1 - alpha),
        f));
  }

  /** The towers that got an adapter, by name, with their two matrices. */
  Map<String, List<ModelVariable>> built() {
    return built;
  }
}
