package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import tfpeft.peft.Adapter;

/**
 * First-order Taylor importance of each adapter: the loss change when a weight is zeroed is about
 * -w * dL/dw, so an adapter's score for one step is sum |w * dL/dw| over all of its weights (both
 * matrices; at 1 bit the latent weights and their straight-through gradients). Scores are summed
 * over every optimizer step of the warm-up. Absolute values per weight keep contributions of
 * opposite sign from cancelling.
 */
public final class TaylorImportance {
  private TaylorImportance() {}

  /** One step's scores [P], given each adapter matrix's gradient (same order as the matrices). */
  public static Operand<TFloat32> stepScores(Ops tf, List<Adapter> adapters,
      java.util.function.Function<Adapter, List<Operand<TFloat32>>> gradients) {
    List<Operand<TFloat32>> scores = new ArrayList<>();
    for (Adapter a : adapters) {
      List<Operand<TFloat32>> g = gradients.apply(a);
      scores.add(tf.math.add(score(tf, a.down().value(), g.get(0)),
          score(tf, a.up().value(), g.get(1))));
    }
    return tf.stack(scores);
  }

  private static Operand<TFloat32> score(Ops tf, Operand<TFloat32> w, Operand<TFloat32> g) {
    Operand<TFloat32> taylor = tf.math.abs(tf.math.mul(w, g));
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
