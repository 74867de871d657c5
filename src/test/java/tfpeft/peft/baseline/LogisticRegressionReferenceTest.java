package tfpeft.peft.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodReference;

/**
 * The L-BFGS fit against tools/make_lpclip_fixture.py (torch's L-BFGS on scikit-learn's
 * objective, to a gradient below 1e-12): weights and centered intercepts within 1e-5 when both
 * are run to convergence.
 */
class LogisticRegressionReferenceTest {
  static final TensorFile FIXTURE = MethodReference.of("lpclip_fit.npz").tensors();

  @Test
  void threeClassesFitTheMultinomialObjective() {
    check("3", 3);
  }

  @Test
  void twoClassesFitScikitLearnsBinaryObjective() {
    check("2", 2);
  }

  private static void check(String suffix, int classes) {
    NamedTensor x = FIXTURE.get("x" + suffix);
    int n = (int) x.dim(0);
    int d = (int) x.dim(1);
    float[][] rows = new float[n][d];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(x.data(), i * d, rows[i], 0, d);
      labels[i] = Math.round(FIXTURE.get("y" + suffix).data()[i]);
    }
    double c = FIXTURE.get("c" + suffix).data()[0];
    LogisticRegression.Fit fit = new LogisticRegression(rows, labels, classes)
        .fit(c, 100_000, 1e-10);
    float[] w = FIXTURE.get("w" + suffix).data();
    for (int j = 0; j < d; j++) {
      for (int k = 0; k < classes; k++) {
        assertEquals(w[j * classes + k], fit.weights()[j][k], MethodReference.TOLERANCE,
            "w[" + j + "][" + k + "]");
      }
    }
    float[] b = FIXTURE.get("b" + suffix).data();
    double mean = 0;
    for (float v : fit.biases()) {
      mean += v / classes;
    }
    for (int k = 0; k < classes; k++) {
      assertEquals(b[k], fit.biases()[k] - mean, MethodReference.TOLERANCE, "b[" + k + "]");
    }
  }
}
