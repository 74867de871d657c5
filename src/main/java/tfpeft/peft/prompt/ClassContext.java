package tfpeft.peft.prompt;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * CoOp's context where {@link TextPrompts} cannot put it (depth 1): one context per class (CSC,
 * [C, n, D]) and the class name in the middle of the context or in front of it (CoOp's
 * CLASS_TOKEN_POSITION). The class prompts are ContextPrompt's rows, class-major (C classes x
 * T templates), so row r belongs to class r / T.
 *
 * <p>Where the slots are follows from the end token e of each row (the highest id): the first
 * h = (slots before the name) slots are positions 1..h, the other n - h end just before the
 * "." at e - 1, at e - 1 - n + k for slot k. That is the official code's concatenation
 * (trainers/coop.py: prefix, ctx[:h], class, ctx[h:], suffix; prefix, class, ctx, suffix),
 * whatever each name's length.
 */
final class ClassContext implements SiteHook {
  private final Operand<TFloat32> context;
  private final boolean perClass;
  private final int classes;
  private final int length;
  private final int before;

  /**
   * @param context the context: [n, D] shared by every class, or [C, n, D] per class
   * @param classes C, the classes whose prompts the text tower embeds
   */
  ClassContext(Operand<TFloat32> context, boolean perClass, int classes,
      ClassTokenPosition position) {
    this.context = context;
    this.perClass = perClass;
    this.classes = classes;
    this.length = (int) context.shape().get(perClass ? 1 : 0);
    this.before = ContextPrompt.slotsBeforeName(position, length);
  }

  @Override
  public Operand<TFloat32> textEmbeddings(Net net, String site, Operand<TFloat32> tokens,
      Operand<TInt32> ids) {
    if (!site.equals("text/token_embed")) {
      return tokens;
    }
    Ops tf = net.tf();
    Operand<TFloat32> rows = perClass ? classRows(tf, tokens) : TokenSlots.perRow(tf, tokens,
        context);
    if (before == length) {
      return TokenSlots.replaceRows(tf, tokens, TextPrompts.FIRST_POSITION, rows);
    }
    int width = (int) tokens.shape().get(1);
    // slot k's position: 1 + k before the name, else e - 1 - n + k
    int[] offset = new int[length];
    int[] afterName = new int[length];
    for (int k = 0; k < length; k++) {
      offset[k] = k < before ? TextPrompts.FIRST_POSITION + k : k - 1 - length;
      afterName[k] = k < before ? 0 : 1;
    }
    Operand<TInt32> end = tf.expandDims(tf.math.argMax(ids, tf.constant(1), TInt32.class),
        tf.constant(1));
    Operand<TInt32> positions = tf.math.add(tf.constant(new int[][] {offset}),
        tf.math.mul(tf.constant(new int[][] {afterName}), end));
    // [N, n, L]: slot k of row r sits at positions[r, k]
    Operand<TFloat32> at = tf.oneHot(positions, tf.constant(width), tf.constant(1f),
        tf.constant(0f));
    Operand<TFloat32> placed = tf.train.batchMatMul(tf.linalg.transpose(at,
        tf.constant(new int[] {0, 2, 1})), rows, TFloat32.class);
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), tf.reduceSum(at, tf.constant(1),
        ReduceSum.keepDims(false)));
    return tf.math.add(tf.math.mul(tokens, tf.expandDims(keep, tf.constant(-1))), placed);
  }

  /** Each row's class's context [N, n, D]: row r of N = C * T takes class r C / N. */
  private Operand<TFloat32> classRows(Ops tf, Operand<TFloat32> tokens) {
    Operand<TInt32> n = tf.reshape(tf.slice(tf.shape(tokens), tf.constant(new int[] {0}),
        tf.constant(new int[] {1})), tf.constant(new int[0]));
    Operand<TInt32> row = tf.range(tf.constant(0), n, tf.constant(1));
    Operand<TInt32> classOf = tf.math.floorDiv(tf.math.mul(row, tf.constant(classes)), n);
    return tf.gather(context, classOf, tf.constant(0));
  }
}
