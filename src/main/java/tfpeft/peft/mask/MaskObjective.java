package tfpeft.peft.mask;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
 *
 * <p>The official code masks CLIP's fused attention input projection ({@code in_proj_weight},
 * [3D, D]) with one {@code mask_real} and takes one norm of it; the backbone here has separate
 * q, k and v sites, so the masks of one block's q, k and v share one norm,
 * sqrt(|M_q|^2 + |M_k|^2 + |M_v|^2).
 */
public final class MaskObjective {
  private static final Pattern FUSED_QKV = Pattern.compile("/attn/[qkv]/mask$");

  private MaskObjective() {}

  /** coefficient * sum over the official code's masks of ||M||_2 (q, k, v of a block as one). */
  public static Operand<TFloat32> l2(Ops tf, List<ModelVariable> masks, float coefficient) {
    Map<String, Operand<TFloat32>> squares = new LinkedHashMap<>();
    for (ModelVariable m : masks) {
      Operand<TFloat32> own = tf.reduceSum(tf.math.square(m.value()),
          tf.range(tf.constant(0), tf.rank(m.value()), tf.constant(1)),
          ReduceSum.keepDims(false));
      squares.merge(officialMask(m.name()), own, tf.math::add);
    }
    Operand<TFloat32> sum = tf.constant(0f);
    for (Operand<TFloat32> s : squares.values()) {
      sum = tf.math.add(sum, tf.math.sqrt(s));
    }
    return tf.math.mul(sum, tf.constant(coefficient));
  }

  /** The official code's mask a mask variable is part of: {@code <block>/attn/qkv} for q, k, v. */
  static String officialMask(String maskName) {
    return FUSED_QKV.matcher(maskName).replaceFirst("/attn/qkv/mask");
  }

  /**
   * The batch mean of -sum_c softmax(teacher / T)_c log softmax(student / T)_c * T^2: the KL
   * divergence to the teacher up to the teacher's entropy, which has no gradient. The teacher
   * gets no gradient.
   */
  public static Operand<TFloat32> distillation(Ops tf, Operand<TFloat32> student,
      Operand<TFloat32> teacher, float temperature) {
    return tfpeft.peft.Distillation.softCrossEntropy(tf, student, teacher, temperature);
  }
}
