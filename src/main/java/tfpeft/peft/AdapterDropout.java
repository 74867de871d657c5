package tfpeft.peft;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.Net;

/**
 * Inverted dropout inside adapters: each element is zeroed with probability p while training and
 * the kept ones scaled by 1/(1-p). The mask comes from a stateless random op keyed by the step
 * seed, as drop-path does, so a resumed run draws the same masks. Whether the graph is training
 * is the net's training flag ({@link Net#training}), off unless a training step feeds it.
 */
public final class AdapterDropout {
  private AdapterDropout() {}

  public static Operand<TFloat32> apply(Net net, Operand<TFloat32> x, float rate) {
    if (rate == 0f) {
      return x;
    }
    Ops tf = net.tf();
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f),
        tf.math.mul(net.training(), tf.constant(rate)));
    Operand<TInt32> shape = tf.shape(x);
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape, net.nextRandomSeed());
    Operand<TFloat32> mask = tf.math.div(tf.math.floor(tf.math.add(keep, u)), keep);
    return tf.math.mul(x, tf.stopGradient(mask));
  }
}
