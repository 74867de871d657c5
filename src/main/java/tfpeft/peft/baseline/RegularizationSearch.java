package tfpeft.peft.baseline;

import java.util.ArrayList;
import java.util.List;

/**
 * The search of the logistic regression's C on validation accuracy, as CoOp's
 * lpclip/linear_probe.py runs it: a coarse pass over C = 1e6, 1e4, ..., 1e-6 (the first of the
 * best on ties), then {@code steps} rounds between C_peak / 10 and 10 C_peak. Each round fits the
 * interval's two ends and keeps the better (the left on ties); the next interval runs from the
 * kept end to the midpoint of the two exponents. The result is the last round's kept fit (the
 * coarse peak's fit with no rounds).
 */
public final class RegularizationSearch {
  static final double[] COARSE = {1e6, 1e4, 1e2, 1, 1e-2, 1e-4, 1e-6};
  /** scikit-learn's tol, where the official script leaves it. */
  public static final double TOLERANCE = 1e-4;

  /** One fit tried: its C and how many validation examples it got right. */
  public record Trial(double c, int correct) {}

  /** The chosen fit, its C, and every fit tried in order. */
  public record Result(LogisticRegression.Fit fit, double c, List<Trial> trials) {}

  private RegularizationSearch() {}

  public static Result run(LogisticRegression problem, float[][] valX, int[] valY, int steps,
      int maxIterations) {
    List<Trial> trials = new ArrayList<>();
    double peak = COARSE[0];
    int peakCorrect = -1;
    LogisticRegression.Fit peakFit = null;
    for (double c : COARSE) {
      LogisticRegression.Fit f = problem.fit(c, maxIterations, TOLERANCE);
      int correct = f.correct(valX, valY);
      trials.add(new Trial(c, correct));
      if (correct > peakCorrect) {
        peak = c;
        peakCorrect = correct;
        peakFit = f;
      }
    }
    double left = 0.1 * peak;
    double right = 10 * peak;
    LogisticRegression.Fit chosen = peakFit;
    double chosenC = peak;
    for (int step = 0; step < steps; step++) {
      LogisticRegression.Fit l = problem.fit(left, maxIterations, TOLERANCE);
      int lc = l.correct(valX, valY);
      LogisticRegression.Fit r = problem.fit(right, maxIterations, TOLERANCE);
      int rc = r.correct(valX, valY);
      trials.add(new Trial(left, lc));
      trials.add(new Trial(right, rc));
      double mid = Math.pow(10, 0.5 * (Math.log10(right) + Math.log10(left)));
      if (lc < rc) {
        chosen = r;
        chosenC = right;
        left = mid;
      } else {
        chosen = l;
        chosenC = left;
        right = mid;
      }
    }
    return new Result(chosen, chosenC, trials);
  }
}
