package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Precision;

/**
 * {@link MixedPrecision#batchMatMul}'s written-out backward products against TensorFlow's own
 * gradient of the same product (Einsum's registered gradient, through the casts under BF16),
 * for both forms, on a loss that weights every output element differently.
 */
class AttentionProductGradientTest {
  private static final long N = 2;
  private static final long H = 3;
  private static final long L = 5;
  private static final long D = 4;

  @ParameterizedTest
  @CsvSource({"FP32, false", "FP32, true", "BF16, false", "BF16, true"})
  void writtenOutGradientsAreEinsumsOwn(Precision precision, boolean adjointB) {
    float[][] ours = gradients(precision, adjointB, true);
    float[][] theirs = gradients(precision, adjointB, false);
    // the same products in another operand order: float32 sums in another order; under BF16
    // both round the same bfloat16 operands, so only the float32 accumulation differs
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(theirs[i], ours[i], 1e-5f, (i == 0 ? "da" : "db") + " " + precision);
      assertTrue(maxAbs(ours[i]) > 0.1, "a gradient that could not be zero is");
    }
  }

  /** [dL/da, dL/db] of L = sum(w * a b) (b^T when adjointB), by the rule or by Einsum's own. */
  private static float[][] gradients(Precision precision, boolean adjointB, boolean written) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      net.precision(precision);
      Ops tf = net.tf();
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      Operand<TFloat32> c;
      if (written) {
        c = MixedPrecision.batchMatMul(net, a, b, adjointB);
      } else {
        String eq = adjointB ? "nhij,nhkj->nhik" : "nhij,nhjk->nhik";
        c = precision == Precision.FP32 ? tf.linalg.einsum(List.of(a, b), eq)
            : tf.dtypes.cast(tf.linalg.einsum(List.of(tf.dtypes.cast(a, TBfloat16.class),
                tf.dtypes.cast(b, TBfloat16.class)), eq), TFloat32.class);
      }
      long cols = adjointB ? L : D;
      float[] w = values((int) (N * H * L * cols), 0.91);
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(c,
          tf.constant(Shape.of(N, H, L, cols), DataBuffers.of(w))), tf.constant(new int[] {0, 1,
              2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(),
          new Output<?>[] {a.asOutput(), b.asOutput()});
      // a [N, H, L, L] like the attention probabilities (b is v), or [N, H, L, D] like q
      // (b is k)
      Shape aShape = adjointB ? Shape.of(N, H, L, D) : Shape.of(N, H, L, L);
      Shape bShape = Shape.of(N, H, L, D);
      try (Session s = new Session(g);
          TFloat32 av = TFloat32.tensorOf(aShape, DataBuffers.of(values((int) aShape.size(),
              0.37)));
          TFloat32 bv = TFloat32.tensorOf(bShape, DataBuffers.of(values((int) bShape.size(),
              0.53)));
          var r = s.runner().feed(a, av).feed(b, bv).fetch(grads[0]).fetch(grads[1]).run()) {
        return Fetched.floats(r, 2);
      }
    }
  }

  private static float[] values(int n, double step) {
    return Fetched.sines(n, step, 0.1, 1f);
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
