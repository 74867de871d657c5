package tfpeft.peft.fact;

/**
 * A site's FacT increment as a weight, for export: delta W [in, out] (row-major, tfpeft's
 * [in, out] layout) whose slice (i, o), rows i d..(i+1) d and columns o d..(o+1) d, is
 * s * U M_io V, M_io being block (i, o) of the site's core matrix M [rows r, cols r]. Adding it to
 * the Linear's weight gives x (W + delta W) = x W + s * V(Sigma(U x)) per slice, the path the
 * trained graph computes (without dropout, as at evaluation).
 */
final class FactFold {
  private FactFold() {}

  /**
   * @param u [d, r]
   * @param m [rows r, cols r]
   * @param v [r, d]
   */
  static float[] increment(float[] u, float[] m, float[] v, int d, int r, int rows, int cols,
      float scale) {
    if (u.length != d * r || v.length != r * d || m.length != rows * r * cols * r) {
      throw new IllegalArgumentException("shapes: U " + u.length + ", M " + m.length + ", V "
          + v.length + " for d " + d + ", r " + r + ", grid " + rows + " x " + cols);
    }
    int in = rows * d;
    int out = cols * d;
    int mCols = cols * r;
    float[] delta = new float[in * out];
    double[] um = new double[d * r];
    for (int i = 0; i < rows; i++) {
      for (int o = 0; o < cols; o++) {
        // U M_io: [d, r]
        for (int x = 0; x < d; x++) {
          for (int b = 0; b < r; b++) {
            double sum = 0;
            for (int a = 0; a < r; a++) {
              sum += (double) u[x * r + a] * m[(i * r + a) * mCols + o * r + b];
            }
            um[x * r + b] = sum;
          }
        }
        for (int x = 0; x < d; x++) {
          int row = (i * d + x) * out + o * d;
          for (int y = 0; y < d; y++) {
            double sum = 0;
            for (int b = 0; b < r; b++) {
              sum += um[x * r + b] * v[b * d + y];
            }
            delta[row + y] = (float) (scale * sum);
          }
        }
      }
    }
    return delta;
  }
}
