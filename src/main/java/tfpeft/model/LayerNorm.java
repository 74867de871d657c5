package tfpeft.model;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.graph.GradientOverrides;

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
    Operand<TFloat32> gamma = net.variable(name + "/gamma", new long[] {dim}, Init.ones()).value();
    Operand<TFloat32> beta = net.variable(name + "/beta", new long[] {dim}, Init.zeros()).value();
    return normalize(net.tf(), x, gamma, beta, eps);
  }

  /**
   * (x - mean) / sqrt(var + eps) * gamma + beta over the last axis, with its backward pass written
   * out. The gradient TensorFlow derives op by op takes about a dozen passes over x's size per
   * LayerNorm (each Mean's gradient a Tile and a division, the Square's and both Muls' two
   * products, the AddNs); the closed form takes six: with g = dy gamma and x^ the normalized x,
   * dx = (g - mean(g) - x^ mean(g x^)) / sqrt(var + eps), dgamma = sum(dy x^), dbeta = sum(dy)
   * over every axis but the last (built only where something trains them).
   */
  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, float eps) {
    Operand<TInt32> last = tf.constant(-1);
    Operand<TFloat32> stopped = tf.stopGradient(x);
    Operand<TFloat32> mean = tf.math.mean(stopped, last, Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(stopped, mean);
    Operand<TFloat32> var = tf.math.mean(tf.math.square(centered), last, Mean.keepDims(true));
    Operand<TFloat32> rstd = tf.math.rsqrt(tf.math.add(var, tf.constant(eps)));
    Operand<TFloat32> normed = tf.math.mul(centered, rstd);
    Operand<TFloat32> y = tf.math.add(tf.math.mul(normed, tf.stopGradient(gamma)),
        tf.stopGradient(beta));
    // the rule reads x^ and rstd as inputs of the op rather than capturing them: a rule holds
    // nothing of its graph (GradientOverrides keeps rules per graph, weakly); stopped, they send
    // no gradient back through the forward ops
    List<Output<?>> out = GradientOverrides.override(tf, tf.scope().makeUnique("layer_norm"),
        List.of(y, x, gamma, beta, tf.stopGradient(normed), tf.stopGradient(rstd)),
        (ops, in, up) -> {
          Operand<TFloat32> dy = GradientOverrides.float32(up, 0);
          Operand<TFloat32> scale = GradientOverrides.float32(in, 2);
          Operand<TFloat32> xhat = GradientOverrides.float32(in, 4);
          Operand<TFloat32> inverseStd = GradientOverrides.float32(in, 5);
          Operand<TInt32> lastAxis = ops.constant(-1);
          Operand<TFloat32> g = ops.math.mul(dy, scale);
          Operand<TFloat32> meanG = ops.math.mean(g, lastAxis, Mean.keepDims(true));
          Operand<TFloat32> meanGn = ops.math.mean(ops.math.mul(g, xhat), lastAxis,
              Mean.keepDims(true));
          Operand<TFloat32> dx = ops.math.mul(ops.math.sub(ops.math.sub(g, meanG),
              ops.math.mul(xhat, meanGn)), inverseStd);
          // every axis but the last
          Operand<TInt32> outer = ops.range(ops.constant(0),
              ops.math.sub(ops.rank(dy), ops.constant(1)), ops.constant(1));
          return Arrays.asList(null, dx, ops.reduceSum(ops.math.mul(dy, xhat), outer),
              ops.reduceSum(dy, outer), null, null);
        });
    return GradientOverrides.float32(out, 0);
  }
}
