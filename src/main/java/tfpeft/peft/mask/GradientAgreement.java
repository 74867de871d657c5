package tfpeft.peft.mask;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The AMT + AgreeGrad ablation of R-AMT (Table 5), reconstructed: R-AMT's official code has no
 * such rule, and the paper names it beside gradient dropout. With a the masks' gradient of the
 * cross-entropy (and L2 term) and b that of the distillation to the frozen zero-shot model, the
 * elements of a whose sign conflicts with b's are dropped:
 *
 * <pre>  g = 1[sign(a) sign(b) &gt;= 0] a</pre>
 *
 * That keeps exactly the elements whose purity P ({@link GradientDropout}) is 1 (agreement, or b
 * = 0); gradient dropout keeps the conflicting ones with probability P instead of never. The
 * formula is written once on host arrays and once as graph ops.
 */
public final class GradientAgreement {
  private GradientAgreement() {}

  /** The kept gradient, element-wise. */
  public static float[] apply(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length + " elements");
    }
    float[] g = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      g[i] = Math.signum(a[i]) * Math.signum(b[i]) >= 0 ? a[i] : 0f;
    }
    return g;
  }

  /** The kept gradient as graph ops, element-wise over tensors of one shape. */
  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    // signs, not a * b, which can underflow to -0 or 0 for tiny opposite elements
    Operand<TFloat32> agree = tf.dtypes.cast(tf.math.greaterEqual(tf.math.mul(tf.math.sign(a),
        tf.math.sign(b)), tf.constant(0f)), TFloat32.class);
    return tf.math.mul(agree, a);
  }
}
