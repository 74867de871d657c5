package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * LayerNorm's written-out backward pass against the gradient TensorFlow derives op by op from
 * the same formula: dx, dgamma and dbeta, for [N, L, D] tokens and [N, D] features, on a loss that
 * weights every output element differently (a plain sum would make dx vanish).
 */
class LayerNormGradientTest {
  private static final long D = 6;
  private static final float EPS = 1e-6f;

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void writtenOutGradientsAreTheDerivedOnes(int rank) {
    Shape shape = rank == 3 ? Shape.of(2, 5, D) : Shape.of(7, D);
    float[][] ours = gradients(shape, true);
    float[][] derived = gradients(shape, false);
    String[] names = {"y", "dx", "dgamma", "dbeta"};
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(derived[i], ours[i], 2e-5f, names[i] + " rank " + rank);
      double max = 0;
      for (float v : ours[i]) {
        max = Math.max(max, Math.abs(v));
      }
      assertTrue(max > 0.05, names[i] + " is not all near zero");
    }
  }

  /** [y, dL/dx, dL/dgamma, dL/dbeta] of L = sum(w * LayerNorm(x)). */
  private static float[][] gradients(Shape shape, boolean written) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> gamma = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> beta = tf.placeholder(TFloat32.class);
      Operand<TFloat32> y = written ? LayerNorm.normalize(tf, x, gamma, beta, EPS)
          : derived(tf, x, gamma, beta);
      float[] w = values((int) shape.size(), 0.71, 0.3f);
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y,
          tf.constant(shape, DataBuffers.of(w))), tf.range(tf.constant(0), tf.rank(y),
              tf.constant(1)));
      Output<?>[] grads = g.addGradients(loss.asOutput(),
          new Output<?>[] {x.asOutput(), gamma.asOutput(), beta.asOutput()});
      try (Session s = new Session(g);
          TFloat32 xv = TFloat32.tensorOf(shape, DataBuffers.of(values((int) shape.size(), 0.37,
              2f)));
          TFloat32 gv = TFloat32.tensorOf(Shape.of(D), DataBuffers.of(values((int) D, 1.3, 1f)));
          TFloat32 bv = TFloat32.tensorOf(Shape.of(D), DataBuffers.of(values((int) D, 0.9, 1f)));
          var r = s.runner().feed(x, xv).feed(gamma, gv).feed(beta, bv).fetch(y)
              .fetch(grads[0]).fetch(grads[1]).fetch(grads[2]).run()) {
        return Fetched.floats(r, 4);
      }
    }
  }

  /** The formula op by op, its gradient left to TensorFlow. */
  private static Operand<TFloat32> derived(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta) {
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(-1), Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(x, mean);
    Operand<TFloat32> var = tf.math.mean(tf.math.square(centered), tf.constant(-1),
        Mean.keepDims(true));
    Operand<TFloat32> normed = tf.math.div(centered, tf.math.sqrt(tf.math.add(var,
        tf.constant(EPS))));
    return tf.math.add(tf.math.mul(normed, gamma), beta);
  }

  private static float[] values(int n, double step, float scale) {
    return Fetched.sines(n, step, 0.2, scale);
  }
}
