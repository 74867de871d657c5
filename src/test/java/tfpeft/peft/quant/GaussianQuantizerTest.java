package tfpeft.peft.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import tfpeft.graph.GradientCheck;

/** The 1-bit Gaussian-codebook quantizer: codes, values, storage, straight-through gradient. */
class GaussianQuantizerTest {
  static final double C = 0.6744897501960817;

  @Test
  void theCodesAreTheQuartilesOfTheStandardNormal() {
    // Phi(0.6745) = 3/4: erf(c / sqrt 2) = 1/2
    assertEquals(0.5, erf(GaussianQuantizer.CODE / Math.sqrt(2)), 1e-12);
    assertEquals(java.util.List.of((float) C, (float) -C),
        GaussianQuantizer.codes(0.1f, -3f));
  }

  @Test
  void anElementAtTheMeanQuantizesToTheMeanAsPetlVitsSign() {
    // W = [-1, 0, 1]: mean 0, unbiased std 1; q = sign(wn) * c gives [-c, 0, c]
    assertEquals(java.util.List.of(0f), GaussianQuantizer.codes(0f));
    assertArrayEquals(new float[] {(float) -C, 0, (float) C}, forward(new float[] {-1, 0, 1},
        Shape.of(3)), 1e-6f);
  }

  @Test
  void anElementAtTheMeanIsStoredWithTheNegativeCodeAsPetlVitsDump() {
    // PETL-ViT's dump takes the nearest code, the first (negative) one on the tie at 0
    QuantizedMatrix q = GaussianQuantizer.pack(new float[] {-1, 0, 1});
    assertEquals((byte) 0b100, q.bits()[0]);
    assertArrayEquals(new float[] {(float) -C, (float) -C, (float) C},
        GaussianQuantizer.unpack(q), 1e-6f);
  }

  @Test
  void forwardIsCodeTimesStdPlusMean() {
    // W = [1, 2, 3, 4]: mean 2.5, unbiased std sqrt(5/3); signs of W - mean: - - + +
    float[] w = {1, 2, 3, 4};
    double std = Math.sqrt(5.0 / 3);
    float lo = (float) (-C * std + 2.5);
    float hi = (float) (C * std + 2.5);
    assertArrayEquals(new float[] {lo, lo, hi, hi}, forward(w, Shape.of(2, 2)), 1e-6f);
  }

  @Test
  void packedFormHoldsOneBitPerElementAndMeanAndStd() {
    float[] w = {1, 2, 3, 4, -1, 0, 5, 2.5f, 7};
    QuantizedMatrix q = GaussianQuantizer.pack(w);
    assertEquals(2, q.bits().length);
    assertEquals(2 + 8, q.storedBytes());
    // mean 2.6111: elements >= mean are 3, 4, 5, 7 (indices 2, 3, 6, 8)
    assertEquals((byte) 0b0100_1100, q.bits()[0]);
    assertEquals((byte) 0b1, q.bits()[1]);
    assertArrayEquals(forward(w, Shape.of(9)), GaussianQuantizer.unpack(q), 1e-6f);
  }

  @Test
  void storedBytesRoundUpToWholeBytes() {
    assertEquals(768 * 32 / 8 + 8, QuantizedMatrix.storedBytes(768 * 32));
    assertEquals(1 + 8, QuantizedMatrix.storedBytes(1));
  }

  @Test
  void gradientIsStraightThroughTheCodesWithMeanAndStdDifferentiable() {
    double[] w0 = {0.3, -1.1, 0.8, 2.0, -0.4, 0.05};
    Shape shape = Shape.of(2, 3);
    double[] analytic = GradientCheck.analytic(shape, w0, (tf, x) -> tf.dtypes.cast(
        GaussianQuantizer.quantize(tf, tf.dtypes.cast(x, TFloat32.class)), TFloat64.class));
    // the surrogate: (wn(w) + k) * std(w) + mean(w) with k = q(wn) - wn frozen at w0; its value
    // at w0 is the quantized matrix and its derivative is the straight-through one
    double[] k = offsets(w0);
    double[] numeric = GradientCheck.numeric(shape, w0, (tf, x) -> surrogate(tf, x, k), 1e-6);
    assertTrue(GradientCheck.maxError(analytic, numeric) < 1e-4,
        Arrays.toString(analytic) + " vs " + Arrays.toString(numeric));
    // and the rounding is not differentiated: a plain sign would give a zero gradient
    assertTrue(Arrays.stream(analytic).anyMatch(v -> Math.abs(v) > 0.1));
  }

  static double[] offsets(double[] w) {
    double mean = Arrays.stream(w).average().orElseThrow();
    double sq = Arrays.stream(w).map(v -> (v - mean) * (v - mean)).sum();
    double std = Math.sqrt(sq / (w.length - 1));
    double[] k = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      double wn = (w[i] - mean) / (std + 1e-5);
      k[i] = Math.signum(wn) * C - wn;
    }
    return k;
  }

  static Operand<TFloat64> surrogate(Ops tf, Operand<TFloat64> x, double[] k) {
    Operand<TFloat64> mean = tf.math.mean(x, tf.constant(new int[] {0, 1}));
    Operand<TFloat64> centered = tf.math.sub(x, mean);
    Operand<TFloat64> std = tf.math.sqrt(tf.math.div(tf.reduceSum(tf.math.square(centered),
        tf.constant(new int[] {0, 1})), tf.constant((double) (k.length - 1))));
    Operand<TFloat64> wn = tf.math.div(centered, tf.math.add(std, tf.constant(1e-5)));
    Operand<TFloat64> q = tf.math.add(wn, tf.constant(Shape.of(2, 3), DataBuffers.of(k)));
    return tf.math.add(tf.math.mul(q, std), mean);
  }

  static float[] forward(float[] w, Shape shape) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> y = GaussianQuantizer.quantize(tf,
          tf.constant(shape, DataBuffers.of(w)));
      try (Session s = new Session(g); var r = s.runner().fetch(y).run()) {
        float[] out = new float[w.length];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }

  /** erf by its Maclaurin series (enough terms for |x| < 1). */
  static double erf(double x) {
    double sum = 0;
    double term = x;
    for (int n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }
}
