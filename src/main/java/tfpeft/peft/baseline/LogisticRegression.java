package tfpeft.peft.baseline;

import java.util.Arrays;

/**
 * L2-regularized multinomial logistic regression fitted by L-BFGS on host arrays, as
 * scikit-learn's {@code LogisticRegression(solver="lbfgs", penalty="l2", C=c)} defines it (the
 * fit of CoOp's lpclip/linear_probe.py): minimize
 *
 * <pre>  C sum_i CE(softmax(W x_i + b), y_i) + |W|^2 / 2</pre>
 *
 * over W [C_classes, D] and the unpenalized intercepts b, scaled as scikit-learn scales it (the
 * mean cross-entropy plus |W|^2 / (2 C n)), stopping when the largest gradient entry is at most
 * {@code tolerance} (its tol, 1e-4) or after {@code maxIterations} (its max_iter). With two
 * classes scikit-learn fits one weight vector v with the binary loss and the penalty |v|^2 / 2;
 * the multinomial fit with C / 2 has the same minimizer (W = [-v / 2, v / 2], the same
 * predictions), so two classes are fitted that way. Double precision, one thread, a fixed order
 * of sums: the same data give the same weights. Memory: the data, the parameters and ten pairs
 * of L-BFGS history.
 */
public final class LogisticRegression {
  /** L-BFGS history pairs (scipy's maxcor). */
  static final int HISTORY = 10;
  /** Line-search trials per iteration (scipy's maxls as scikit-learn sets it). */
  static final int LINE_SEARCH = 50;
  /** Relative decrease of the objective below which the fit stops (scikit-learn's ftol). */
  static final double FTOL = 64 * Math.ulp(1.0);

  /** The fitted model: weights [D][classes] (as the head's [in, out] matrix) and biases. */
  public record Fit(float[][] weights, float[] biases, int iterations) {
    /** The predicted class of {@code x}: the highest score, the first of ties. */
    public int predict(float[] x) {
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < biases.length; k++) {
        double s = biases[k];
        for (int j = 0; j < x.length; j++) {
          s += x[j] * weights[j][k];
        }
        if (s > bestScore) {
          bestScore = s;
          best = k;
        }
      }
      return best;
    }

    /** Examples of {@code x} predicted as their label. */
    public int correct(float[][] x, int[] labels) {
      int n = 0;
      for (int i = 0; i < x.length; i++) {
        if (predict(x[i]) == labels[i]) {
          n++;
        }
      }
      return n;
    }
  }

  private final double[][] x;
  private final int[] y;
  private final int classes;
  private final int dim;

  /**
   * @param x the features [n][D]
   * @param y their labels in [0, classes)
   */
  public LogisticRegression(float[][] x, int[] y, int classes) {
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException(x.length + " examples, " + y.length + " labels");
    }
    this.dim = x[0].length;
    this.x = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      this.x[i] = new double[dim];
      for (int j = 0; j < dim; j++) {
        this.x[i][j] = x[i][j];
      }
      if (y[i] < 0 || y[i] >= classes) {
        throw new IllegalArgumentException("label " + y[i] + " outside [0, " + classes + ")");
      }
    }
    this.y = y.clone();
    this.classes = classes;
  }

  /** The fit at regularization strength {@code c} (scikit-learn's C: larger, weaker). */
  public Fit fit(double c, int maxIterations, double tolerance) {
    double strength = 1.0 / ((classes == 2 ? c / 2 : c) * x.length);
    int size = classes * (dim + 1);
    double[] p = new double[size];
    double[] g = new double[size];
    double f = objective(p, g, strength);
    double[][] s = new double[HISTORY][];
    double[][] t = new double[HISTORY][];
    double[] rho = new double[HISTORY];
    int stored = 0;
    int iteration = 0;
    while (iteration < maxIterations && maxAbs(g) > tolerance) {
      double[] d = direction(g, s, t, rho, stored);
      double slope = dot(g, d);
      if (slope >= 0) {
        // not a descent direction (curvature lost to rounding): restart from the gradient
        stored = 0;
        d = negate(g);
        slope = dot(g, d);
      }
      double[] pNew = new double[size];
      double[] gNew = new double[size];
      double step = iteration == 0 && stored == 0 ? Math.min(1.0, 1.0 / norm(g)) : 1.0;
      double fNew = lineSearch(p, f, g, d, slope, step, strength, pNew, gNew);
      if (Double.isNaN(fNew)) {
        break;
      }
      double[] sk = new double[size];
      double[] tk = new double[size];
      for (int i = 0; i < size; i++) {
        sk[i] = pNew[i] - p[i];
        tk[i] = gNew[i] - g[i];
      }
      double st = dot(sk, tk);
      if (st > 1e-10 * dot(tk, tk)) {
        if (stored == HISTORY) {
          System.arraycopy(s, 1, s, 0, HISTORY - 1);
          System.arraycopy(t, 1, t, 0, HISTORY - 1);
          System.arraycopy(rho, 1, rho, 0, HISTORY - 1);
          stored--;
        }
        s[stored] = sk;
        t[stored] = tk;
        rho[stored] = 1 / st;
        stored++;
      }
      iteration++;
      double decrease = (f - fNew) / Math.max(Math.max(Math.abs(f), Math.abs(fNew)), 1);
      p = pNew;
      g = gNew;
      f = fNew;
      if (decrease <= FTOL) {
        break;
      }
    }
    return fitOf(p, iteration);
  }

  /** The two-loop recursion: -H g with the stored pairs, oldest first. */
  private static double[] direction(double[] g, double[][] s, double[][] t, double[] rho,
      int stored) {
    double[] q = g.clone();
    double[] alpha = new double[stored];
    for (int i = stored - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(s[i], q);
      axpy(-alpha[i], t[i], q);
    }
    if (stored > 0) {
      double gamma = dot(s[stored - 1], t[stored - 1]) / dot(t[stored - 1], t[stored - 1]);
      for (int i = 0; i < q.length; i++) {
        q[i] *= gamma;
      }
    }
    for (int i = 0; i < stored; i++) {
      double beta = rho[i] * dot(t[i], q);
      axpy(alpha[i] - beta, s[i], q);
    }
    return negate(q);
  }

  /**
   * A step along {@code d} meeting the strong Wolfe conditions (c1 1e-4, c2 0.9; Nocedal and
   * Wright, Algorithms 3.5 and 3.6, bisecting in the zoom); writes the new point and gradient
   * and returns the objective there. Past {@link #LINE_SEARCH} trials it keeps the lowest point
   * found below f, or returns NaN when there is none.
   */
  private double lineSearch(double[] p, double f, double[] g, double[] d, double slope,
      double first, double strength, double[] pOut, double[] gOut) {
    final double c1 = 1e-4;
    final double c2 = 0.9;
    double[] best = {Double.NaN};
    double lo = 0;
    double fLo = f;
    double hi = Double.NaN;
    double a = first;
    for (int trial = 0; trial < LINE_SEARCH; trial++) {
      double[] ga = new double[p.length];
      double fa = evaluate(p, d, a, strength, ga, f, best, pOut, gOut);
      double slopeA = dot(ga, d);
      if (fa > f + c1 * a * slope || (trial > 0 && fa >= fLo)) {
        hi = a;
      } else if (Math.abs(slopeA) <= -c2 * slope) {
        for (int i = 0; i < p.length; i++) {
          pOut[i] = p[i] + a * d[i];
        }
        System.arraycopy(ga, 0, gOut, 0, p.length);
        return fa;
      } else {
        if (!Double.isNaN(hi) && slopeA * (hi - lo) >= 0) {
          hi = lo;
        } else if (Double.isNaN(hi) && slopeA >= 0) {
          hi = lo;
        }
        lo = a;
        fLo = fa;
      }
      a = Double.isNaN(hi) ? 2 * a : (lo + hi) / 2;
    }
    return best[0];
  }

  /** The objective at p + a d (its gradient into ga), keeping the lowest point below f. */
  private double evaluate(double[] p, double[] d, double a, double strength, double[] ga,
      double f, double[] best, double[] pOut, double[] gOut) {
    double[] pa = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      pa[i] = p[i] + a * d[i];
    }
    double fa = objective(pa, ga, strength);
    if (fa < f && (Double.isNaN(best[0]) || fa < best[0])) {
      best[0] = fa;
      System.arraycopy(pa, 0, pOut, 0, p.length);
      System.arraycopy(ga, 0, gOut, 0, p.length);
    }
    return fa;
  }

  /** The scaled objective at p, its gradient into {@code grad}. */
  double objective(double[] p, double[] grad, double strength) {
    Arrays.fill(grad, 0);
    int n = x.length;
    double loss = 0;
    double[] z = new double[classes];
    int bias = classes * dim;
    for (int i = 0; i < n; i++) {
      double[] xi = x[i];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        double v = p[bias + k];
        int row = k * dim;
        for (int j = 0; j < dim; j++) {
          v += p[row + j] * xi[j];
        }
        z[k] = v;
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      loss += Math.log(sum) + max - (Math.log(z[y[i]]) + max);
      for (int k = 0; k < classes; k++) {
        double r = (z[k] / sum - (k == y[i] ? 1 : 0)) / n;
        int row = k * dim;
        for (int j = 0; j < dim; j++) {
          grad[row + j] += r * xi[j];
        }
        grad[bias + k] += r;
      }
    }
    double penalty = 0;
    for (int i = 0; i < bias; i++) {
      penalty += p[i] * p[i];
      grad[i] += strength * p[i];
    }
    return loss / n + strength * penalty / 2;
  }

  private Fit fitOf(double[] p, int iterations) {
    float[][] w = new float[dim][classes];
    float[] b = new float[classes];
    for (int k = 0; k < classes; k++) {
      for (int j = 0; j < dim; j++) {
        w[j][k] = (float) p[k * dim + j];
      }
      b[k] = (float) p[classes * dim + k];
    }
    return new Fit(w, b, iterations);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static void axpy(double alpha, double[] x, double[] y) {
    for (int i = 0; i < y.length; i++) {
      y[i] += alpha * x[i];
    }
  }

  private static double[] negate(double[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = -a[i];
    }
    return out;
  }
}
