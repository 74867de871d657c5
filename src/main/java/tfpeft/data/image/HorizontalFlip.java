package tfpeft.data.image;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomHorizontalFlip(p)}: one uniform draw per image, flipped when it is
 * below {@code p}. The draw is taken even when p is 0 or 1, so the random stream seen by later
 * transforms does not depend on p.
 */
public final class HorizontalFlip implements ImageTransform {
  private final double p;

  public HorizontalFlip(double p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
    }
    this.p = p;
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    return rng.nextDouble() < p ? flip(image) : image;
  }

  /** The mirror image: column x moves to column width - 1 - x. */
  public static RgbImage flip(RgbImage image) {
    int w = image.width();
    byte[] src = image.pixels();
    byte[] out = new byte[src.length];
    for (int row = 0; row < src.length; row += w * 3) {
      for (int x = 0; x < w; x++) {
        int s = row + x * 3;
        int d = row + (w - 1 - x) * 3;
        out[d] = src[s];
        out[d + 1] = src[s + 1];
        out[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(w, image.height(), out);
  }

  @Override
  public String toString() {
    return "HorizontalFlip[p=" + p + "]";
  }
}
