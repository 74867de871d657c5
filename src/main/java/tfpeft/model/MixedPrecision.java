package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import tfpeft.config.proto.Precision;

/**
 * The backbone's matrix products in the net's precision ({@code training.precision}). Under BF16
 * or FP16 both operands are cast to the 16-bit type where they are used and the product back to
 * float32 at once, so everything between two products (biases, GELU, LayerNorm, softmax, the
 * residual stream) and every variable stays float32: the weights are float32 master copies and
 * their gradients reach the optimizer in float32 through the casts' gradients. The products are
 * where the time goes (over 95% of a ViT's FLOPs), and oneDNN's bf16 kernels run them on CPUs
 * with AVX512-BF16 or AMX. Under FP32 nothing is cast: the graph is the float32 one, op for op.
 */
public final class MixedPrecision {
  private MixedPrecision() {}

  /** x [M, K] times w [K, N] in the net's precision, as float32. */
  public static Operand<TFloat32> matMul(Net net, Operand<TFloat32> x, Operand<TFloat32> w) {
    Ops tf = net.tf();
    Class<? extends TNumber> low = lowType(net.precision());
    if (low == null) {
      return tf.linalg.matMul(x, w);
    }
    return tf.dtypes.cast(product(tf, x, w, low), TFloat32.class);
  }

  private static <T extends TNumber> Operand<T> product(Ops tf, Operand<TFloat32> x,
      Operand<TFloat32> w, Class<T> type) {
    return tf.linalg.matMul(tf.dtypes.cast(x, type), tf.dtypes.cast(w, type));
  }

  /**
   * The product a b of two [N, H, L, D] tensors over their last two axes (b transposed when
   * {@code adjointB}) in the net's precision.
   */
  public static Operand<TFloat32> batchMatMul(Net net, Operand<TFloat32> a, Operand<TFloat32> b,
      boolean adjointB) {
    Ops tf = net.tf();
    Class<? extends TNumber> low = lowType(net.precision());
    // Einsum in every precision rather than tf.train.batchMatMul: TensorFlow's oneDNN build
    // rewrites Einsum to _MklEinsum but leaves BatchMatMulV3 (what batchMatMul creates) on
    // Eigen's kernel, BatchMatMulV2's gradient goes back to V3, and the CPU runtime has no
    // float16 BatchMatMulV3 kernel at all. ViT-B/16 attention's product (8 x 12 heads x 197
    // tokens x 64, 2 AMD EPYC cores): 100-114 GFLOP/s in float32 against 50, bfloat16 174
    // against 51; forward and backward 30-32 ms against 40-41 ms. Einsum's gradient is Einsum
    // again; on a GPU both lower to the same batched GEMM.
    String equation = adjointB ? "nhij,nhkj->nhik" : "nhij,nhjk->nhik";
    if (low == null) {
      return tf.linalg.einsum(java.util.List.of(a, b), equation);
    }
    return tf.dtypes.cast(lowEinsum(tf, a, b, low, equation), TFloat32.class);
  }

  private static <T extends TNumber> Operand<T> lowEinsum(Ops tf, Operand<TFloat32> a,
      Operand<TFloat32> b, Class<T> type, String equation) {
    return tf.linalg.einsum(java.util.List.of(tf.dtypes.cast(a, type), tf.dtypes.cast(b, type)),
        equation);
  }

  /** The 16-bit type of {@code p}, or null for float32. */
  static Class<? extends TNumber> lowType(Precision p) {
    return switch (p) {
      case BF16 -> TBfloat16.class;
      case FP16 -> TFloat16.class;
      default -> null;
    };
  }
}
