package tfpeft.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import tfpeft.config.proto.Precision;
import tfpeft.graph.GradientOverrides;

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
   * {@code adjointB}) in the net's precision, with its backward products written out (below).
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
    // against 51; forward and backward 30-32 ms against 40-41 ms. On a GPU both lower to the
    // same batched GEMM.
    Operand<TFloat32> product = einsum(tf, tf.stopGradient(a), tf.stopGradient(b), low,
        adjointB ? "nhij,nhkj->nhik" : "nhij,nhjk->nhik");
    // The backward products are given rather than derived: Einsum's own gradient writes
    // a^T dc as "nhik,nhij->nhjk" (dc first), which _MklEinsum runs at half the speed of the
    // same product with the operands the other way round, "nhij,nhik->nhjk" (ViT-S/16's
    // attention, 8 x 6 heads x 197 tokens: 3.8 ms against 1.8). The other three are the
    // gradient's own equations.
    List<Output<?>> out = GradientOverrides.override(tf, tf.scope().makeUnique("batch_matmul"),
        List.of(product, a, b), (ops, in, up) -> {
          Operand<TFloat32> dc = GradientOverrides.float32(up, 0);
          Operand<TFloat32> x = GradientOverrides.float32(in, 1);
          Operand<TFloat32> y = GradientOverrides.float32(in, 2);
          List<Operand<?>> grads = new ArrayList<>();
          grads.add(null);
          if (adjointB) {
            // c = x y^T: dx = dc y, dy = dc^T x
            grads.add(einsum(ops, dc, y, low, "nhik,nhkj->nhij"));
            grads.add(einsum(ops, dc, x, low, "nhik,nhij->nhkj"));
          } else {
            // c = x y: dx = dc y^T, dy = x^T dc
            grads.add(einsum(ops, dc, y, low, "nhik,nhjk->nhij"));
            grads.add(einsum(ops, x, dc, low, "nhij,nhik->nhjk"));
          }
          return grads;
        });
    return GradientOverrides.float32(out, 0);
  }

  /** einsum(a, b) in {@code low} (float32 when null), as float32. */
  private static Operand<TFloat32> einsum(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b,
      Class<? extends TNumber> low, String equation) {
    if (low == null) {
      return tf.linalg.einsum(List.of(a, b), equation);
    }
    return tf.dtypes.cast(lowEinsum(tf, a, b, low, equation), TFloat32.class);
  }

  private static <T extends TNumber> Operand<T> lowEinsum(Ops tf, Operand<TFloat32> a,
      Operand<TFloat32> b, Class<T> type, String equation) {
    return tf.linalg.einsum(List.of(tf.dtypes.cast(a, type), tf.dtypes.cast(b, type)),
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
