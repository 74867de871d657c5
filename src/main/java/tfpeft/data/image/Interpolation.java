package tfpeft.data.image;

/**
 * Resampling filters, named as in torchvision's {@code InterpolationMode}. Each one reproduces
 * what Pillow 9.4's {@code Image.resize} does with the filter of the same name.
 */
public enum Interpolation {
  /** Pillow {@code Image.NEAREST}: the source pixel under the destination pixel centre. */
  NEAREST(0.0),
  /** Pillow {@code Image.BILINEAR}: triangle filter, support 1, antialiased when shrinking. */
  BILINEAR(1.0),
  /** Pillow {@code Image.BICUBIC}: cubic convolution with a = -0.5, support 2, antialiased. */
  BICUBIC(2.0);

  private final double support;

  Interpolation(double support) {
    this.support = support;
  }

  /** Half-width of the filter at scale 1, in source pixels (Pillow's {@code filter.support}). */
  double support() {
    return support;
  }

  /** The filter weight at distance {@code x}, with Pillow's exact floating-point expressions. */
  double weight(double x) {
    switch (this) {
      case BILINEAR:
        if (x < 0.0) {
          x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
      case BICUBIC:
        final double a = -0.5;
        if (x < 0.0) {
          x = -x;
        }
        if (x < 1.0) {
          return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
          return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
      default:
        throw new IllegalStateException(this + " is not a convolution filter");
    }
  }
}
