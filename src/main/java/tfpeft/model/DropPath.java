package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Stochastic depth: each sample's residual branch is dropped with probability p and the kept ones
 * scaled by 1/(1-p). The rate is fed per step (0 at evaluation makes it the identity); the mask
 * comes from a stateless random op keyed by the step seed, so a resumed run draws the same masks.
 */
public final class DropPath {
  private DropPath() {}

  /**
   * @param scale this layer's share of the configured rate (timm increases the rate linearly
   *     with depth: block i of n gets rate * i / (n - 1))
   */
  public static Operand<TFloat32> apply(Net net, Operand<TFloat32> x, float scale) {
    if (scale == 0f) {
      return x;
    }
    Ops tf = net.tf();
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f),
        tf.math.mul(net.dropPathRate(), tf.constant(scale)));
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}),
        tf.constant(new int[] {1}));
    Operand<TInt32> maskShape = tf.concat(java.util.List.of(batch, tf.constant(new int[] {1, 1})),
        tf.constant(0));
    Operand<TFloat32> u = tf.random.statelessRandomUniform(maskShape, net.nextRandomSeed());
    Operand<TFloat32> mask = tf.math.div(tf.math.floor(tf.math.add(keep, u)), keep);
    return tf.math.mul(x, tf.stopGradient(mask));
  }
}
