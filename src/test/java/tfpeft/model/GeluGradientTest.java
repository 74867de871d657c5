package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Gelu;

/**
 * Exact GELU with its derivative written out, against 0.5 x (1 + erf(x / sqrt 2)) op by op with
 * the gradient TensorFlow derives: the same values bit for bit, the same gradient to float
 * rounding, over x in [-6, 6] (both tails, the kink near 0).
 */
class GeluGradientTest {
  @Test
  void writtenOutDerivativeIsTheDerivedOne() {
    float[][] ours = run(true);
    float[][] derived = run(false);
    assertArrayEquals(derived[0], ours[0], 0f, "forward values");
    assertArrayEquals(derived[1], ours[1], 2e-6f, "gradient");
  }

  /** [gelu(x), d sum(w gelu(x)) / dx]. */
  private static float[][] run(boolean written) {
    int n = 241;
    float[] x = new float[n];
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -6f + 0.05f * i;
      w[i] = 0.5f + (float) Math.abs(Math.sin(0.7 * i));
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> y = written ? Activations.gelu(tf, in, Gelu.GELU_EXACT)
          : tf.math.mul(tf.math.mul(in, tf.constant(0.5f)), tf.math.add(tf.constant(1f),
              tf.math.erf(tf.math.mul(in, tf.constant((float) (1 / Math.sqrt(2)))))));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, tf.constant(w)), tf.constant(0));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {in.asOutput()});
      try (Session s = new Session(g);
          TFloat32 xv = TFloat32.tensorOf(Shape.of(n), DataBuffers.of(x));
          var r = s.runner().feed(in, xv).fetch(y).fetch(grad[0]).run()) {
        return Fetched.floats(r, 2);
      }
    }
  }
}
