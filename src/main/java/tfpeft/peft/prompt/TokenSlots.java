package tfpeft.peft.prompt;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Where prompt tokens go in a token sequence [N, L, D]: replaced at positions start..start+n-1
 * (text prompts after the start token), appended after the last token (visual prompts at the
 * first layer) or replacing the last n tokens (visual prompts at deeper layers). Built from
 * StridedSlice, Tile and ConcatV2, which have gradients and keep the token count static.
 */
final class TokenSlots {
  private TokenSlots() {}

  /** x with tokens start..start+n-1 replaced by prompts [n, D] (the same for every row). */
  static Operand<TFloat32> replace(Ops tf, Operand<TFloat32> x, int start,
      Operand<TFloat32> prompts) {
    return replaceRows(tf, x, start, perRow(tf, x, prompts));
  }

  /** x with tokens start..start+n-1 replaced by each row's own prompts [N, n, D]. */
  static Operand<TFloat32> replaceRows(Ops tf, Operand<TFloat32> x, int start,
      Operand<TFloat32> rows) {
    int n = (int) rows.shape().get(1);
    long length = x.shape().get(1);
    if (start + n > length) {
      throw new IllegalArgumentException("prompts at " + start + ".." + (start + n - 1)
          + " do not fit " + length + " tokens");
    }
    return tf.concat(List.of(tokens(tf, x, 0, start), rows,
        tokens(tf, x, start + n, (int) length)), tf.constant(1));
  }

  /** x followed by prompts [n, D]. */
  static Operand<TFloat32> append(Ops tf, Operand<TFloat32> x, Operand<TFloat32> prompts) {
    return appendRows(tf, x, perRow(tf, x, prompts));
  }

  /** x followed by each row's own prompts [N, n, D]. */
  static Operand<TFloat32> appendRows(Ops tf, Operand<TFloat32> x, Operand<TFloat32> rows) {
    return tf.concat(List.of(x, rows), tf.constant(1));
  }

  /** x with its last n tokens replaced by prompts [n, D]. */
  static Operand<TFloat32> replaceLast(Ops tf, Operand<TFloat32> x, Operand<TFloat32> prompts) {
    return replaceLastRows(tf, x, perRow(tf, x, prompts));
  }

  /** x with its last n tokens replaced by each row's own prompts [N, n, D]. */
  static Operand<TFloat32> replaceLastRows(Ops tf, Operand<TFloat32> x,
      Operand<TFloat32> rows) {
    int length = (int) x.shape().get(1);
    return replaceRows(tf, x, length - (int) rows.shape().get(1), rows);
  }

  /** x[:, from:to, :]. */
  static Operand<TFloat32> tokens(Ops tf, Operand<TFloat32> x, int from, int to) {
    // masks on axes 0 and 2 take them whole
    return tf.stridedSlice(x, tf.constant(new int[] {0, from, 0}),
        tf.constant(new int[] {0, to, 0}), tf.constant(new int[] {1, 1, 1}),
        StridedSlice.beginMask(5L), StridedSlice.endMask(5L));
  }

  /** prompts [n, D] repeated for each of the N rows of x: [N, n, D]. */
  static Operand<TFloat32> perRow(Ops tf, Operand<TFloat32> x,
      Operand<TFloat32> prompts) {
    Operand<TInt32> rows = tf.slice(tf.shape(x), tf.constant(new int[] {0}),
        tf.constant(new int[] {1}));
    return tf.tile(tf.expandDims(prompts, tf.constant(0)),
        tf.concat(List.of(rows, tf.constant(new int[] {1, 1})), tf.constant(0)));
  }
}
