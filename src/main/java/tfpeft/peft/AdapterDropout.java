package tfpeft.peft;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.Net;

/**
 * Inverted dropout inside adapters: each element is zeroed with probability p while training and
 * the kept ones scaled by 1/(1-p). The mask comes from a stateless random op keyed by the step
 * seed, as drop-path does, so a resumed run draws the same masks.
 *
 * <p>Whether the graph is training is the float placeholder {@value #TRAINING} (1 while
 * training); it defaults to 0, so evaluation, export and every caller that does not feed it see no
 * dropout.
 */
public final class AdapterDropout {
  /** The op name of the training flag. */
  public static final String TRAINING = "control/training";

  private AdapterDropout() {}

  public static Operand<TFloat32> apply(Net net, Operand<TFloat32> x, float rate) {
    if (rate == 0f) {
      return x;
    }
    Ops tf = net.tf();
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f),
        tf.math.mul(training(net), tf.constant(rate)));
    Operand<TInt32> shape = tf.shape(x);
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape, net.nextRandomSeed());
    Operand<TFloat32> mask = tf.math.div(tf.math.floor(tf.math.add(keep, u)), keep);
    return tf.math.mul(x, tf.stopGradient(mask));
  }

  /** The graph's training flag, created on first use. */
  @SuppressWarnings("unchecked")
  public static Operand<TFloat32> training(Net net) {
    Graph g = net.graph();
    GraphOperation existing = g.operation(TRAINING);
    if (existing != null) {
      return (Output<TFloat32>) (Output<?>) existing.output(0);
    }
    return net.named(TRAINING).placeholderWithDefault(net.tf().constant(0f),
        org.tensorflow.ndarray.Shape.scalar());
  }

  /**
   * Feeds 1 to the training flag when the graph has one (a method with dropout built it);
   * returns the fed tensor for the caller to close, or null.
   */
  public static org.tensorflow.types.TFloat32 feedTraining(Graph g,
      org.tensorflow.Session.Runner runner) {
    if (g.operation(TRAINING) == null) {
      return null;
    }
    TFloat32 on = TFloat32.scalarOf(1f);
    runner.feed(TRAINING, on);
    return on;
  }
}
