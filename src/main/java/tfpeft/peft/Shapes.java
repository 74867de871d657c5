package tfpeft.peft;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Shape helpers of adapter hooks, whose inputs have a batch size known only at run time. */
public final class Shapes {
  private Shapes() {}

  /** The static last dimension of {@code x}; a site's width is always known. */
  public static long lastDim(Operand<TFloat32> x, String site) {
    Shape s = x.shape();
    long d = s.numDimensions() > 0 ? s.get(s.numDimensions() - 1) : -1;
    if (d < 0) {
      throw new IllegalStateException("site " + site + ": last dimension unknown in " + s);
    }
    return d;
  }

  /** {@code x} of shape [..., d] times {@code w} [d, k], shape [..., k]. */
  public static Operand<TFloat32> matmulLast(Ops tf, Operand<TFloat32> x, long d,
      Operand<TFloat32> w, long k) {
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, (int) d}));
    Operand<TFloat32> y = tf.linalg.matMul(flat, w);
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> leading = tf.slice(shape, tf.constant(new int[] {0}),
        tf.expandDims(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(0)));
    return tf.reshape(y, tf.concat(java.util.List.of(leading, tf.constant(new int[] {(int) k})),
        tf.constant(0)));
  }
}
