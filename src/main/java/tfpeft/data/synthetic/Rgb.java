package tfpeft.data.synthetic;

/** Small helpers for colours packed as 0xRRGGBB ints, the form every scene record stores. */
final class Rgb {
  private Rgb() {}

  static int pack(int red, int green, int blue) {
    return (clamp(red) << 16) | (clamp(green) << 8) | clamp(blue);
  }

  static int red(int rgb) {
    return (rgb >> 16) & 0xFF;
  }

  static int green(int rgb) {
    return (rgb >> 8) & 0xFF;
  }

  static int blue(int rgb) {
    return rgb & 0xFF;
  }

  static int clamp(int value) {
    return Math.max(0, Math.min(255, value));
  }

  /** Every channel multiplied by {@code factor}, rounded: the darker shade of a texture. */
  static int scaled(int rgb, double factor) {
    return pack(
        (int) Math.round(red(rgb) * factor),
        (int) Math.round(green(rgb) * factor),
        (int) Math.round(blue(rgb) * factor));
  }

  /** Linear interpolation from {@code a} (t = 0) to {@code b} (t = 1), rounded per channel. */
  static int mix(int a, int b, double t) {
    return pack(
        (int) Math.round(red(a) + (red(b) - red(a)) * t),
        (int) Math.round(green(a) + (green(b) - green(a)) * t),
        (int) Math.round(blue(a) + (blue(b) - blue(a)) * t));
  }

  static long squaredDistance(int a, int b) {
    long dr = red(a) - red(b);
    long dg = green(a) - green(b);
    long db = blue(a) - blue(b);
    return dr * dr + dg * dg + db * db;
  }
}
