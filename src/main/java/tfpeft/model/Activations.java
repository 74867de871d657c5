package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Gelu;

/** The GELU variants of the backbones. */
public final class Activations {
  private Activations() {}

  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x, Gelu kind) {
    return switch (kind) {
      // x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
      case GELU_EXACT -> tf.math.mul(tf.math.mul(x, tf.constant(0.5f)), tf.math.add(
          tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      case GELU_TANH -> {
        Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)),
            tf.math.add(x, tf.math.mul(tf.constant(0.044715f),
                tf.math.mul(x, tf.math.square(x)))));
        yield tf.math.mul(tf.math.mul(x, tf.constant(0.5f)),
            tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
      }
      // CLIP's QuickGELU: x * sigmoid(1.702 x)
      case QUICK_GELU -> tf.math.mul(x, tf.math.sigmoid(tf.math.mul(x, tf.constant(1.702f))));
      default -> throw new IllegalArgumentException("unknown GELU " + kind);
    };
  }
}
