package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. A
 * backbone LayerNorm is a site ({@link #site}): its output passes the hooks.
 */
public final class LayerNorm {
  private LayerNorm() {}

  /**
   * The LayerNorm at site {@code site} (e.g. "block3/ln1"), its variables under
   * {@code prefix + site}, its output passed through every hook's
   * {@link SiteHook#layerNormOutput}.
   */
  public static Operand<TFloat32> site(Net net, String prefix, String site, Operand<TFloat32> x,
      long dim, float eps) {
    Operand<TFloat32> y = apply(net, prefix + site, x, dim, eps);
    for (SiteHook h : net.hooks()) {
      y = h.layerNormOutput(net, site, y);
    }
    return y;
  }

  /** A LayerNorm that is no site (a method's own layers): no hook sees it. */
  public static Operand<TFloat32> apply(Net net, String name, Operand<TFloat32> x, long dim,
      float eps) {
    Ops tf = net.tf();
    Operand<TFloat32> gamma = net.variable(name + "/gamma", new long[] {dim}, Init.ones()).value();
    Operand<TFloat32> beta = net.variable(name + "/beta", new long[] {dim}, Init.zeros()).value();
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(-1),
        org.tensorflow.op.math.Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(x, mean);
    Operand<TFloat32> var = tf.math.mean(tf.math.square(centered), tf.constant(-1),
        org.tensorflow.op.math.Mean.keepDims(true));
    Operand<TFloat32> normed = tf.math.mul(centered,
        tf.math.rsqrt(tf.math.add(var, tf.constant(eps))));
    return tf.math.add(tf.math.mul(normed, gamma), beta);
  }
}
