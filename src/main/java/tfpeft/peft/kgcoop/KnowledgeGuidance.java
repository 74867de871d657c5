package tfpeft.peft.kgcoop;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.KgDistance;
import tfpeft.model.ClipModel;

/**
 * KgCoOp's knowledge-guided term: how far each class's learned text feature w_i has moved from
 * its hand-crafted one w_i^clip, both L2-normalized, averaged over the N_c classes.
 *
 * <pre>  SQUARED_L2 (the paper's L_kg):   (1 / N_c) sum_i ||w_i - w_i^clip||^2
 *  ONE_MINUS_COS (the official code): 1 - (1 / N_c) sum_i cos(w_i, w_i^clip)</pre>
 *
 * For unit vectors ||a - b||^2 = 2 (1 - cos(a, b)): the paper's term is twice the code's, so the
 * same lambda pulls twice as hard.
 */
public final class KnowledgeGuidance {
  private KnowledgeGuidance() {}

  /** The term of {@code learned} and {@code handCrafted} [C, E] (normalized here): a scalar. */
  public static Operand<TFloat32> distance(Ops tf, Operand<TFloat32> learned,
      Operand<TFloat32> handCrafted, KgDistance kind) {
    Operand<TFloat32> w = ClipModel.normalize(tf, learned);
    Operand<TFloat32> clip = ClipModel.normalize(tf, handCrafted);
    if (kind == KgDistance.ONE_MINUS_COS) {
      Operand<TFloat32> cos = tf.reduceSum(tf.math.mul(w, clip), tf.constant(1),
          ReduceSum.keepDims(false));
      return tf.math.sub(tf.constant(1f), tf.math.mean(cos, tf.constant(0)));
    }
    Operand<TFloat32> squared = tf.reduceSum(tf.math.square(tf.math.sub(w, clip)),
        tf.constant(1), ReduceSum.keepDims(false));
    return tf.math.mean(squared, tf.constant(0));
  }
}
