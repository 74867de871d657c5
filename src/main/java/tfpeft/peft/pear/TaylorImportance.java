package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.TaylorScore;
import tfpeft.peft.Adapter;

/**
 * First-order Taylor importance of each adapter: the loss change when a weight is zeroed is about
 * -w * dL/dw, and an adapter's score for one step combines w * dL/dw over all of its weights (both
 * matrices; at 1 bit the latent weights and their straight-through gradients) as
 * {@link TaylorScore} says: sum |w g| (the default: per-weight absolute values keep
 * contributions of opposite sign from cancelling), |sum w g| (Molchanov et al. 2016, the change
 * of the loss when the whole adapter is removed) or (sum w g)^2 (Molchanov et al. 2019). Scores
 * are summed over every optimizer step of the warm-up.
 */
public final class TaylorImportance {
  private TaylorImportance() {}

  /** One step's scores [P], given each adapter matrix's gradient (same order as the matrices). */
  public static Operand<TFloat32> stepScores(Ops tf, TaylorScore kind, List<Adapter> adapters,
      java.util.function.Function<Adapter, List<Operand<TFloat32>>> gradients) {
    boolean perWeight = kind == TaylorScore.SUM_ABS;
    List<Operand<TFloat32>> scores = new ArrayList<>();
    for (Adapter a : adapters) {
      List<Operand<TFloat32>> g = gradients.apply(a);
      Operand<TFloat32> sum = tf.math.add(sum(tf, a.down().value(), g.get(0), perWeight),
          sum(tf, a.up().value(), g.get(1), perWeight));
      scores.add(switch (kind) {
        case SUM_ABS -> sum;
        case ABS_SUM -> tf.math.abs(sum);
        case SQUARED_SUM -> tf.math.square(sum);
        default -> throw new IllegalArgumentException("unknown importance " + kind);
      });
    }
    return tf.stack(scores);
  }

  /** sum of w * g over a matrix, of |w * g| when {@code absolute}. */
  private static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> w, Operand<TFloat32> g,
      boolean absolute) {
    Operand<TFloat32> taylor = tf.math.mul(w, g);
    if (absolute) {
      taylor = tf.math.abs(taylor);
    }
    return tf.reduceSum(taylor, tf.range(tf.constant(0), tf.rank(taylor), tf.constant(1)),
        ReduceSum.keepDims(false));
  }

  /** The same score on the host: sum |w_i g_i|. */
  public static double score(float[] w, float[] g) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += Math.abs((double) w[i] * g[i]);
    }
    return s;
  }
}
