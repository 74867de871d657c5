package tfpeft.peft.mask;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;

/**
 * The two losses of R-AMT besides the cross-entropy: the masks' L2 term, added to the
 * cross-entropy (a coefficient times the sum over masks of each mask's L2 norm, as the official
 * code does), and the soft cross-entropy to the frozen zero-shot model's logits, which gradient
 * dropout differentiates separately and the KL ablation adds to the objective.
 */
public final class MaskObjective {
  private MaskObjective() {}

  /** coefficient * sum_i ||M_i||_2. */
  public static Operand<TFloat32> l2(Ops tf, List<ModelVariable> masks, float coefficient) {
    Operand<TFloat32> sum = tf.constant(0f);
    for (ModelVariable m : masks) {
      Operand<TFloat32> squares = tf.reduceSum(tf.math.square(m.value()),
          tf.range(tf.constant(0), tf.rank(m.value()), tf.constant(1)),
          ReduceSum.keepDims(false));
      sum = tf.math.add(sum, tf.math.sqrt(squares));
    }
    return tf.math.mul(sum, tf.constant(coefficient));
  }

  /**
   * The batch mean of -sum_c softmax(teacher / T)_c log softmax(student / T)_c * T^2: the KL
   * divergence to the teacher up to the teacher's entropy, which has no gradient. The teacher
   * gets no gradient.
   */
  public static Operand<TFloat32> distillation(Ops tf, Operand<TFloat32> student,
      Operand<TFloat32> teacher, float temperature) {
    Operand<TFloat32> t = tf.constant(temperature);
    Operand<TFloat32> target = tf.stopGradient(tf.nn.softmax(tf.math.div(teacher, t)));
    Operand<TFloat32> perExample = tf.nn.softmaxCrossEntropyWithLogits(
        tf.math.div(student, t), target).loss();
    return tf.math.mul(tf.math.mean(perExample, tf.constant(0)),
        tf.constant(temperature * temperature));
  }
}
