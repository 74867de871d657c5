package tfpeft.data.synthetic;

import tfpeft.data.image.RgbImage;

/**
 * Recognises an object's fill from its interior pixels: the fraction in the darker shade separates
 * solid (none), dotted (about a quarter) and stripes or checks (about half); stripes then differ
 * from checks in that pixels at the same height in the object's own frame share one shade.
 */
final class TextureFeatures {
  private TextureFeatures() {}

  private record Measures(double darkFraction, double stripePurity) {}

  static FillTexture classify(RgbImage image, SceneObject object, int backgroundRgb) {
    Measures m = measure(image, object, backgroundRgb);
    if (m.darkFraction() < 0.06) {
      return FillTexture.SOLID;
    }
    if (m.darkFraction() < 0.37) {
      return FillTexture.DOTTED;
    }
    return m.stripePurity() > 0.75 ? FillTexture.STRIPED : FillTexture.CHECKERED;
  }

  static String describe(RgbImage image, SceneObject object, int backgroundRgb) {
    Measures m = measure(image, object, backgroundRgb);
    return String.format("dark fraction %.3f stripe purity %.3f", m.darkFraction(), m.stripePurity());
  }

  private static Measures measure(RgbImage image, SceneObject object, int backgroundRgb) {
    int size = image.width();
    boolean[] interior = PixelAnalysis.erode(PixelAnalysis.foreground(image, backgroundRgb), size, 2);
    int base = object.rgb();
    int shade = Rgb.scaled(base, FillTexture.SHADE);
    double period = FillTexture.periodPixels(size);
    double theta = Math.toRadians(object.angleDegrees());
    int bins = 8;
    int[] binTotal = new int[bins];
    int[] binDark = new int[bins];
    int total = 0;
    int dark = 0;
    for (int p = 0; p < interior.length; p++) {
      if (!interior[p]) {
        continue;
      }
      int rgb = PixelAnalysis.rgbAt(image, p);
      boolean isDark = Rgb.squaredDistance(rgb, shade) < Rgb.squaredDistance(rgb, base);
      double dx = p % size + 0.5 - object.x() * size;
      double dy = p / size + 0.5 - object.y() * size;
      // Height in the object's frame: stripes are horizontal there.
      double v = Math.sin(theta) * dx + Math.cos(theta) * dy;
      int bin = (int) Math.floor(Math.floorMod((long) Math.floor(v / period * bins * 16), bins * 16L) / 16.0);
      total++;
      binTotal[bin]++;
      if (isDark) {
        dark++;
        binDark[bin]++;
      }
    }
    double purity = 0;
    for (int b = 0; b < bins; b++) {
      if (binTotal[b] > 0) {
        double f = (double) binDark[b] / binTotal[b];
        purity += Math.max(f, 1 - f) * binTotal[b];
      }
    }
    return new Measures(total == 0 ? 0 : (double) dark / total, total == 0 ? 0 : purity / total);
  }
}
