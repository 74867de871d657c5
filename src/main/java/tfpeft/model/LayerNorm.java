package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
public final class LayerNorm {
  private LayerNorm() {}

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
