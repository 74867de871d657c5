package tfpeft.data.synthetic;

import java.util.HashMap;
import java.util.Map;
import tfpeft.data.image.RgbImage;

/**
 * Recognises a background kind from the pixels well away from the object: plain (one colour, dark
 * or light), gradient (every row one colour), noisy (no dominant colour), lined (unchanged along
 * the bottom-left to top-right diagonal) or grid.
 */
final class BackgroundFeatures {
  private BackgroundFeatures() {}

  static BackgroundKind classify(RgbImage image, SceneObject object) {
    int size = image.width();
    boolean[] background = awayFrom(object, size);
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    long brightness = 0;
    int count = 0;
    Map<Integer, Integer> histogram = new HashMap<>();
    boolean rowsConstant = true;
    for (int y = 0; y < size; y++) {
      int rowFirst = -1;
      for (int x = 0; x < size; x++) {
        int p = y * size + x;
        if (!background[p]) {
          continue;
        }
        int rgb = PixelAnalysis.rgbAt(image, p);
        min = Math.min(min, Rgb.red(rgb) + Rgb.green(rgb) + Rgb.blue(rgb));
        max = Math.max(max, Rgb.red(rgb) + Rgb.green(rgb) + Rgb.blue(rgb));
        brightness += Rgb.red(rgb) + Rgb.green(rgb) + Rgb.blue(rgb);
        count++;
        histogram.merge(rgb, 1, Integer::sum);
        if (rowFirst < 0) {
          rowFirst = rgb;
        } else if (maxChannelDifference(rgb, rowFirst) > 2) {
          rowsConstant = false;
        }
      }
    }
    if (max - min <= 6) {
      return brightness / count < 3 * 110 ? BackgroundKind.DARK : BackgroundKind.LIGHT;
    }
    if (rowsConstant) {
      return BackgroundKind.GRADIENT;
    }
    int modal = histogram.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    if (histogram.get(modal) < 0.2 * count) {
      return BackgroundKind.NOISY;
    }
    return diagonalInvariance(image, background, modal) > 0.97 ? BackgroundKind.LINED : BackgroundKind.GRID;
  }

  /** Fraction of pixel pairs one step along the x + y = const diagonal that agree on line or not. */
  private static double diagonalInvariance(RgbImage image, boolean[] background, int modal) {
    int size = image.width();
    int same = 0;
    int pairs = 0;
    for (int y = 1; y < size; y++) {
      for (int x = 0; x < size - 1; x++) {
        int p = y * size + x;
        int q = (y - 1) * size + x + 1;
        if (background[p] && background[q]) {
          boolean lineP = maxChannelDifference(PixelAnalysis.rgbAt(image, p), modal) > 12;
          boolean lineQ = maxChannelDifference(PixelAnalysis.rgbAt(image, q), modal) > 12;
          pairs++;
          if (lineP == lineQ) {
            same++;
          }
        }
      }
    }
    return (double) same / pairs;
  }

  /** Pixels more than 3 pixels beyond the object's farthest outline point. */
  private static boolean[] awayFrom(SceneObject object, int size) {
    double[] polygon = object.polygon();
    double reach = 0;
    for (int i = 0; i < polygon.length; i += 2) {
      reach = Math.max(reach, Math.hypot(polygon[i] - object.x(), polygon[i + 1] - object.y()));
    }
    double limit = reach * size + 3;
    boolean[] mask = new boolean[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        mask[y * size + x] =
            Math.hypot(x + 0.5 - object.x() * size, y + 0.5 - object.y() * size) > limit;
      }
    }
    return mask;
  }

  private static int maxChannelDifference(int a, int b) {
    return Math.max(Math.abs(Rgb.red(a) - Rgb.red(b)),
        Math.max(Math.abs(Rgb.green(a) - Rgb.green(b)), Math.abs(Rgb.blue(a) - Rgb.blue(b))));
  }
}
