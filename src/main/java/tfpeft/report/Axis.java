package tfpeft.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A linear axis over [min, max] with "nice" ticks: steps of 1, 2 or 5 times a power of ten, about
 * {@code targetTicks} of them, the range widened to whole steps so the first and last tick bound
 * the data.
 */
record Axis(double min, double max, double step) {
  static Axis of(double lo, double hi, int targetTicks) {
    return of(lo, hi, targetTicks, 0);
  }

  /** An axis whose step is at least {@code minStep} (1 for epochs and steps; 0 for any). */
  static Axis of(double lo, double hi, int targetTicks, double minStep) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
      return new Axis(0, 1, Math.max(0.2, minStep));
    }
    if (hi < lo) {
      double t = lo;
      lo = hi;
      hi = t;
    }
    if (hi == lo) {
      double pad = Math.max(minStep, lo == 0 ? 1 : Math.abs(lo) * 0.1);
      lo -= pad;
      hi += pad;
    }
    double step = Math.max(minStep, niceStep((hi - lo) / Math.max(1, targetTicks)));
    return new Axis(Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step, step);
  }

  /** The smallest of 1, 2, 5 x 10^k at least {@code raw}. */
  static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw * (1 - 1e-9)) {
        return m * p;
      }
    }
    return 10 * p;
  }

  List<Double> ticks() {
    List<Double> out = new ArrayList<>();
    long n = Math.round((max - min) / step);
    for (long i = 0; i <= n; i++) {
      double v = min + i * step;
      out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  /**
   * A tick's label with as many decimals as the step needs, so neighbouring ticks never read
   * alike; an axis of values all below 0.001 (a learning rate) or from a million up in
   * scientific notation.
   */
  String label(double v) {
    if (v == 0) {
      return "0";
    }
    double largest = Math.max(Math.abs(min), Math.abs(max));
    if (largest < 1e-3 || Math.abs(v) >= 1e6) {
      int digits = Math.max(0, (int) Math.floor(Math.log10(Math.abs(v)))
          - (int) Math.floor(Math.log10(step)));
      return String.format(java.util.Locale.ROOT, "%." + digits + "e", v)
          .replaceFirst("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
    }
    int decimals = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
    return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
  }

  /** {@code v} mapped from [min, max] onto [from, to]. */
  double map(double v, double from, double to) {
    return from + (v - min) / (max - min) * (to - from);
  }
}
