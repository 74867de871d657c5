package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Shape helpers for graphs whose batch size is known only at run time. */
final class Tensors {
  private Tensors() {}

  /** {@code x} of shape [..., d] viewed as [prod(...), d]. */
  static Operand<TFloat32> flatten2d(Ops tf, Operand<TFloat32> x, long d) {
    return tf.reshape(x, tf.constant(new int[] {-1, (int) d}));
  }

  /** The shape of {@code x} with its last dimension replaced by {@code d}. */
  static Operand<TInt32> withLastDim(Ops tf, Operand<TFloat32> x, long d) {
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> rank = tf.rank(x);
    Operand<TInt32> leading = tf.slice(shape, tf.constant(new int[] {0}),
        tf.expandDims(tf.math.sub(rank, tf.constant(1)), tf.constant(0)));
    return tf.concat(java.util.List.of(leading, tf.constant(new int[] {(int) d})),
        tf.constant(0));
  }

  /**
   * The static length L of tokens [N, L, D]. Attention reshapes by it, so a hook that changes
   * the length must build its result from ops whose shapes TensorFlow infers (concat, tile).
   */
  static long tokenCount(Operand<TFloat32> x, String site) {
    org.tensorflow.ndarray.Shape s = x.shape();
    if (s.numDimensions() != 3 || s.get(1) < 0) {
      throw new IllegalStateException("tokens at " + site + " have shape " + s
          + "; the token count must be known when the graph is built");
    }
    return s.get(1);
  }

  static Operand<TFloat32> scalar(Ops tf, double v) {
    return tf.constant((float) v);
  }
}
