package tfpeft.report;

/**
 * Points (x, y) kept within a fixed budget however many arrive: when the budget fills, every
 * other point is dropped and from then on only every second (then fourth, ...) point is taken,
 * so a long run's per-step curve keeps its shape evenly at bounded memory.
 */
final class Series {
  private final int budget;
  private double[] x;
  private double[] y;
  private int size;
  private long stride = 1;
  private long offered;

  Series(int budget) {
    if (budget < 2 || budget % 2 != 0) {
      throw new IllegalArgumentException("budget must be even and at least 2: " + budget);
    }
    this.budget = budget;
    this.x = new double[Math.min(budget, 64)];
    this.y = new double[x.length];
  }

  void add(double px, double py) {
    if (offered++ % stride != 0) {
      return;
    }
    if (size == budget) {
      for (int i = 0; i < size / 2; i++) {
        x[i] = x[2 * i];
        y[i] = y[2 * i];
      }
      size /= 2;
      stride *= 2;
      if ((offered - 1) % stride != 0) {
        return;
      }
    }
    if (size == x.length) {
      x = java.util.Arrays.copyOf(x, Math.min(budget, 2 * x.length));
      y = java.util.Arrays.copyOf(y, x.length);
    }
    x[size] = px;
    y[size] = py;
    size++;
  }

  int size() {
    return size;
  }

  /** How many points were offered in all. */
  long offered() {
    return offered;
  }

  double[] x() {
    return java.util.Arrays.copyOf(x, size);
  }

  double[] y() {
    return java.util.Arrays.copyOf(y, size);
  }
}
