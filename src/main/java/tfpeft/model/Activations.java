package tfpeft.model;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Gelu;
import tfpeft.graph.GradientOverrides;

/** The GELU variants of the backbones. */
public final class Activations {
  private Activations() {}

  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x, Gelu kind) {
    return switch (kind) {
      case GELU_EXACT -> geluExact(tf, x);
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

  /**
   * x Phi(x), Phi(x) = 0.5 erf(x / sqrt 2) + 0.5, with its derivative written out: dx = dy (Phi(x)
   * + x phi(x)), where x phi(x) = u exp(-u^2) / sqrt(pi) for u = x / sqrt 2 (both u and Phi come
   * from the forward pass). Five passes over the MLP's hidden activations where the gradient
   * derived op by op takes eight (each Mul's two products, erf's own, the AddN). The forward
   * value is bit for bit 0.5 x (1 + erf(u)): halving is exact in floating point.
   */
  static Operand<TFloat32> geluExact(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> stopped = tf.stopGradient(x);
    Operand<TFloat32> u = tf.math.mul(stopped, tf.constant((float) (1 / Math.sqrt(2))));
    Operand<TFloat32> phi = tf.math.add(tf.math.mul(tf.math.erf(u), tf.constant(0.5f)),
        tf.constant(0.5f));
    Operand<TFloat32> y = tf.math.mul(stopped, phi);
    // u and Phi reach the rule as stopped inputs, not captured (as in LayerNorm.normalize)
    List<Output<?>> out = GradientOverrides.override(tf, tf.scope().makeUnique("gelu"),
        List.of(y, x, tf.stopGradient(u), tf.stopGradient(phi)), (ops, in, up) -> {
          Operand<TFloat32> dy = GradientOverrides.float32(up, 0);
          Operand<TFloat32> scaled = GradientOverrides.float32(in, 2);
          Operand<TFloat32> cdf = GradientOverrides.float32(in, 3);
          // exp(-u^2): one pass (the graph optimizer composes the unary chain)
          Operand<TFloat32> gauss = ops.math.exp(ops.math.neg(ops.math.square(scaled)));
          Operand<TFloat32> slope = ops.math.add(cdf, ops.math.mul(ops.math.mul(scaled, gauss),
              ops.constant((float) (1 / Math.sqrt(Math.PI)))));
          return Arrays.asList(null, ops.math.mul(dy, slope), null, null);
        });
    return GradientOverrides.float32(out, 0);
  }
}
