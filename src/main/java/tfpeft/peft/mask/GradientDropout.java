package tfpeft.peft.mask;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;

/**
 * Gradient dropout regularity (R-AMT, section 3.3). With a = dL_ce/dM (the cross-entropy plus
 * the masks' L2 term) and b = dL_kl/dM (the KL divergence to the frozen zero-shot model), computed
 * separately, the gradient purity
 *
 * <pre>  P = (sign(a) (a + b) / (|a| + |b| + 1e-8) + 1) / 2</pre>
 *
 * is 1 where a and b agree in sign, |a| / (|a| + |b|) where they disagree, and 1/2 where a is 0.
 * With U ~ Uniform(0, 1) per element and leak l, the applied gradient is
 *
 * <pre>  g = ((1 - l) + l 1[P > U]) a</pre>
 *
 * so the KL gradient only decides which elements of a are dropped: l = 1 drops them to 0, l = 0
 * keeps the plain gradient. Each formula is written once on host arrays (the reference the tests
 * read) and once as graph ops (what training runs).
 */
public final class GradientDropout {
  /** Keeps P defined where a and b are both 0. */
  public static final float EPSILON = 1e-8f;

  private GradientDropout() {}

  /** P of one element. */
  public static float purity(float a, float b) {
    return (Math.signum(a) * (a + b) / (Math.abs(a) + Math.abs(b) + EPSILON) + 1f) / 2f;
  }

  /** P element-wise. */
  public static float[] purity(float[] a, float[] b) {
    check(a, b);
    float[] p = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      p[i] = purity(a[i], b[i]);
    }
    return p;
  }

  /** The applied gradient, given the uniform draws {@code u} (one per element). */
  public static float[] apply(float[] a, float[] b, float leak, float[] u) {
    check(a, b);
    check(a, u);
    float[] g = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      float keep = purity(a[i], b[i]) > u[i] ? 1f : 0f;
      g[i] = ((1f - leak) + leak * keep) * a[i];
    }
    return g;
  }

  /** P as graph ops, element-wise over tensors of one shape. */
  public static Operand<TFloat32> purity(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operand<TFloat32> agreement = tf.math.mul(tf.math.sign(a), tf.math.add(a, b));
    Operand<TFloat32> scale = tf.math.add(tf.math.add(tf.math.abs(a), tf.math.abs(b)),
        tf.constant(EPSILON));
    return tf.math.div(tf.math.add(tf.math.div(agreement, scale), tf.constant(1f)),
        tf.constant(2f));
  }

  /** The applied gradient as graph ops; {@code u} holds uniform draws of a's shape. */
  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b,
      Operand<TFloat32> leak, Operand<TFloat32> u) {
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greater(purity(tf, a, b), u),
        TFloat32.class);
    Operand<TFloat32> factor = tf.math.add(tf.math.sub(tf.constant(1f), leak),
        tf.math.mul(leak, keep));
    return tf.math.mul(factor, a);
  }

  /**
   * The applied gradient of every mask, each with its own uniform draws from a stateless random
   * op seeded by the step seed, so a resumed run drops the same elements.
   */
  public static List<Operand<TFloat32>> apply(Net net, List<Operand<TFloat32>> a,
      List<Operand<TFloat32>> b, Operand<TFloat32> leak) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException(a.size() + " vs " + b.size() + " gradients");
    }
    Ops tf = net.tf();
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(a.get(i)),
          net.nextRandomSeed());
      out.add(apply(tf, a.get(i), b.get(i), leak, u));
    }
    return out;
  }

  private static void check(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length + " elements");
    }
  }
}
