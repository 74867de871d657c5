package tfpeft.peft.prograd;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * ProGrad's prompt-aligned gradient (Zhu et al., ICCV 2023, Eq. 6): with G_d the gradient of the
 * task loss (the cross-entropy) and G_g the general direction, the gradient of the distillation
 * to zero-shot CLIP,
 *
 * <pre>  G = G_d - lambda (G_d . G_g / |G_g|^2) G_g   where G_d . G_g &lt; 0,   else G = G_d</pre>
 *
 * so a step never goes against the zero-shot knowledge (lambda = 1 removes the conflicting
 * component; lambda &lt; 1 keeps part of it). As the official code
 * ({@code prograd_backward_and_update} in its Dassl fork) the dot product is taken per parameter
 * tensor: each trained variable is projected against its own G_g. Where either gradient is 0 the
 * product is 0, not negative, and G_d is kept (the official code's normalized vectors turn to
 * NaN there and its test {@code dot < 0} is false alike). The formula is written once on host
 * arrays (the reference the tests read) and once as graph ops (what training runs).
 */
public final class GradientProjection {
  private GradientProjection() {}

  /** The projected gradient of one tensor, flattened. */
  public static float[] apply(float[] task, float[] general, float lambda) {
    if (task.length != general.length) {
      throw new IllegalArgumentException(task.length + " vs " + general.length + " elements");
    }
    double dot = 0;
    double norm2 = 0;
    for (int i = 0; i < task.length; i++) {
      dot += (double) task[i] * general[i];
      norm2 += (double) general[i] * general[i];
    }
    float[] g = task.clone();
    if (dot < 0) {
      double c = lambda * dot / norm2;
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) (task[i] - c * general[i]);
      }
    }
    return g;
  }

  /** The projected gradient of one tensor as graph ops ({@code lambda} a scalar). */
  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> task, Operand<TFloat32> general,
      Operand<TFloat32> lambda) {
    Operand<TFloat32> dot = sumAll(tf, tf.math.mul(task, general));
    Operand<TFloat32> norm2 = sumAll(tf, tf.math.square(general));
    // the quotient only counts where dot < 0, hence norm2 > 0; max() keeps the other branch finite
    Operand<TFloat32> quotient = tf.math.div(dot, tf.math.maximum(norm2,
        tf.constant(Float.MIN_NORMAL)));
    Operand<TFloat32> c = tf.select(tf.math.less(dot, tf.constant(0f)),
        tf.math.mul(lambda, quotient), tf.constant(0f));
    return tf.math.sub(task, tf.math.mul(c, general));
  }

  /** Each tensor of {@code task} projected against its own {@code general}. */
  public static List<Operand<TFloat32>> apply(Ops tf, List<Operand<TFloat32>> task,
      List<Operand<TFloat32>> general, Operand<TFloat32> lambda) {
    if (task.size() != general.size()) {
      throw new IllegalArgumentException(task.size() + " vs " + general.size() + " gradients");
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < task.size(); i++) {
      out.add(apply(tf, task.get(i), general.get(i), lambda));
    }
    return out;
  }

  private static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.reduceSum(x, tf.range(tf.constant(0), tf.rank(x), tf.constant(1)),
        ReduceSum.keepDims(false));
  }
}
