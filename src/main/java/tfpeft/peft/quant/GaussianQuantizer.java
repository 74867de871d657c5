package tfpeft.peft.quant;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.graph.GradientOverrides;

/**
 * The 1-bit quantizer of 1-bit adapters: a matrix W is normalized per tensor,
 * wn = (W - mean) / (std + 1e-5) with the unbiased std, each element replaced by the code of a
 * Gaussian codebook, and mapped back, W_q = q(wn) * std + mean. The 1-bit codebook holds the
 * quartiles of the standard normal, +-Phi^-1(3/4) = +-0.6745, split at 0. As in PETL-ViT's
 * {@code QLinear}, whose quantizer is {@code sign(wn - 0) * 0.6745}, an element exactly at 0 (at
 * the mean) quantizes to 0, i.e. to the mean itself; the stored bits cannot hold that third value,
 * and PETL-ViT's {@code dump} (argmin of the distance to the codebook, the first code on a tie)
 * stores it with the negative code, as {@link #pack} does.
 *
 * <p>Gradient: q is passed straight through (identity from q(wn) to wn), while mean and std stay
 * differentiable, so dW_q/dW is the derivative of wn * std + mean with the rounding left out.
 *
 * <p>Storage: the sign bits packed eight to a byte plus mean and std as float32
 * ({@link QuantizedMatrix}).
 */
public final class GaussianQuantizer {
  /** Phi^-1(3/4): the 1-bit codes are +-CODE. */
  public static final double CODE = 0.6744897501960817;
  /** Added to the std before dividing, as the reference does. */
  public static final float EPSILON = 1e-5f;

  private GaussianQuantizer() {}

  /** W_q of {@code w} with the straight-through gradient; ops are created in {@code tf}'s scope. */
  public static Operand<TFloat32> quantize(Ops tf, Operand<TFloat32> w) {
    Operand<TInt32> axes = tf.range(tf.constant(0), tf.rank(w), tf.constant(1));
    Operand<TFloat32> n = tf.dtypes.cast(tf.size(w), TFloat32.class);
    Operand<TFloat32> mean = tf.math.mean(w, axes);
    Operand<TFloat32> centered = tf.math.sub(w, mean);
    Operand<TFloat32> var = tf.math.div(
        tf.reduceSum(tf.math.square(centered), axes, ReduceSum.keepDims(false)),
        tf.math.sub(n, tf.constant(1f)));
    Operand<TFloat32> std = tf.math.sqrt(var);
    Operand<TFloat32> wn = tf.math.div(centered, tf.math.add(std, tf.constant(EPSILON)));
    Operand<TFloat32> q = tf.math.mul(tf.math.sign(wn), tf.constant((float) CODE));
    Operand<TFloat32> qThrough = GradientOverrides.straightThrough(tf, "ste", q, wn);
    return tf.math.add(tf.math.mul(qThrough, std), mean);
  }

  /**
   * The stored form of {@code w}: one bit per element (1 for the positive code; an element at the
   * mean gets 0, the negative code, as PETL-ViT's {@code dump}), mean and unbiased std as the graph
   * computes them.
   */
  public static QuantizedMatrix pack(float[] w) {
    int n = w.length;
    double sum = 0;
    for (float v : w) {
      sum += v;
    }
    float mean = (float) (sum / n);
    double sq = 0;
    for (float v : w) {
      sq += (double) (v - mean) * (v - mean);
    }
    float std = (float) Math.sqrt(sq / (n - 1));
    byte[] bits = new byte[(n + 7) / 8];
    for (int i = 0; i < n; i++) {
      float wn = (w[i] - mean) / (std + EPSILON);
      if (wn > 0) {
        bits[i >> 3] |= (byte) (1 << (i & 7));
      }
    }
    return new QuantizedMatrix(n, bits, mean, std);
  }

  /** W_q from its stored form. */
  public static float[] unpack(QuantizedMatrix q) {
    float[] out = new float[q.size()];
    float hi = (float) CODE * q.std() + q.mean();
    float lo = (float) -CODE * q.std() + q.mean();
    for (int i = 0; i < out.length; i++) {
      out[i] = (q.bits()[i >> 3] >> (i & 7) & 1) == 1 ? hi : lo;
    }
    return out;
  }

  /** q(wn) of normalized values as the graph computes it (0 at 0), for tests and inspection. */
  public static List<Float> codes(float... wn) {
    Float[] out = new Float[wn.length];
    for (int i = 0; i < wn.length; i++) {
      out[i] = (float) (Math.signum(wn[i]) * CODE);
    }
    return List.of(out);
  }
}
