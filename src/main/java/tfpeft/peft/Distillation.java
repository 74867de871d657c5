package tfpeft.peft;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The distillation to a frozen zero-shot model that R-AMT's gradient dropout and ProGrad
 * differentiate (and the AMT + KL ablation adds to the loss): both official codes write it as
 * {@code -softmax(teacher / T) * log_softmax(student / T) * T^2}, summed over classes and averaged
 * over the batch, the KL divergence KL(p_teacher || p_student) up to the teacher's entropy, which
 * has no gradient.
 */
public final class Distillation {
  private Distillation() {}

  /**
   * The batch mean of the soft cross-entropy at temperature T, times T^2; the teacher gets no
   * gradient.
   */
  public static Operand<TFloat32> softCrossEntropy(Ops tf, Operand<TFloat32> student,
      Operand<TFloat32> teacher, float temperature) {
    Operand<TFloat32> t = tf.constant(temperature);
    Operand<TFloat32> target = tf.stopGradient(tf.nn.softmax(tf.math.div(teacher, t)));
    Operand<TFloat32> perExample = tf.nn.softmaxCrossEntropyWithLogits(
        tf.math.div(student, t), target).loss();
    return tf.math.mul(tf.math.mean(perExample, tf.constant(0)),
        tf.constant(temperature * temperature));
  }
}
