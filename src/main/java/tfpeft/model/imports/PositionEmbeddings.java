package tfpeft.model.imports;

/**
 * Resizes ViT position embeddings to another patch grid, for weights used at an image size other
 * than the one they were trained at: the class token's embedding is kept, the g x g grid of patch
 * embeddings is resized to G x G by bicubic interpolation with align_corners=False, the usual
 * way of fine-tuning at another resolution.
 *
 * <p>The interpolation is separable cubic convolution with a = -0.75 (Keys' kernel with that
 * parameter, not the -0.5 some image libraries use): output index i samples source coordinate
 * (i + 0.5) * in / out - 0.5, the four taps around it are clamped to the edge, and there is no
 * antialiasing when shrinking. tools/make_model_fixtures.py records a reference (resample.npz).
 */
public final class PositionEmbeddings {
  /** The cubic convolution parameter. */
  static final double A = -0.75;

  private PositionEmbeddings() {}

  /**
   * {@code pos} [1 + g*g, d] (row-major, class token first, patches row by row) resized to
   * [1 + grid*grid, d].
   *
   * @throws IllegalArgumentException if pos does not hold a class token and a square grid
   */
  public static float[] resample(float[] pos, int d, int grid) {
    int tokens = pos.length / d;
    int g = (int) Math.round(Math.sqrt(tokens - 1));
    if (pos.length != tokens * d || g * g != tokens - 1 || grid < 1) {
      throw new IllegalArgumentException("position embeddings of " + tokens + " tokens of width "
          + d + " are not a class token and a square grid");
    }
    float[] out = new float[(1 + grid * grid) * d];
    System.arraycopy(pos, 0, out, 0, d);
    if (g == grid) {
      System.arraycopy(pos, d, out, d, g * g * d);
      return out;
    }
    Taps rows = taps(g, grid);
    Taps cols = taps(g, grid);
    // along x first: [g, g, d] -> [g, grid, d], in double
    double[] wide = new double[g * grid * d];
    for (int y = 0; y < g; y++) {
      for (int x = 0; x < grid; x++) {
        int to = (y * grid + x) * d;
        for (int k = 0; k < 4; k++) {
          double w = cols.weight[x * 4 + k];
          int from = d + (y * g + cols.index[x * 4 + k]) * d;
          for (int c = 0; c < d; c++) {
            wide[to + c] += w * pos[from + c];
          }
        }
      }
    }
    // then along y: [g, grid, d] -> [grid, grid, d]
    for (int y = 0; y < grid; y++) {
      for (int x = 0; x < grid; x++) {
        int to = d + (y * grid + x) * d;
        for (int c = 0; c < d; c++) {
          double v = 0;
          for (int k = 0; k < 4; k++) {
            v += rows.weight[y * 4 + k] * wide[(rows.index[y * 4 + k] * grid + x) * d + c];
          }
          out[to + c] = (float) v;
        }
      }
    }
    return out;
  }

  /** For each output index, the four clamped source indices and their weights. */
  private record Taps(int[] index, double[] weight) {}

  private static Taps taps(int in, int out) {
    int[] index = new int[out * 4];
    double[] weight = new double[out * 4];
    double scale = (double) in / out;
    for (int i = 0; i < out; i++) {
      double source = (i + 0.5) * scale - 0.5;
      int floor = (int) Math.floor(source);
      double t = source - floor;
      double[] w = cubicWeights(t);
      for (int k = 0; k < 4; k++) {
        index[i * 4 + k] = Math.min(Math.max(floor - 1 + k, 0), in - 1);
        weight[i * 4 + k] = w[k];
      }
    }
    return new Taps(index, weight);
  }

  /** Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for a fraction t in [0, 1). */
  static double[] cubicWeights(double t) {
    return new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
  }

  /** |x| <= 1: (a + 2)|x|^3 - (a + 3)|x|^2 + 1. */
  private static double near(double x) {
    return ((A + 2) * x - (A + 3)) * x * x + 1;
  }

  /** 1 < |x| < 2: a|x|^3 - 5a|x|^2 + 8a|x| - 4a. */
  private static double far(double x) {
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  }
}
