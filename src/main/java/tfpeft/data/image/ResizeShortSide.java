package tfpeft.data.image;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code Resize(size)} with a single int on a PIL image: the shorter side becomes
 * {@code size} and the longer side {@code int(size * long / short)} (truncated, computed in double
 * as Python does); an image whose shorter side already equals {@code size} is returned unchanged.
 * For a square image the "shorter" side is the width, as in torchvision.
 */
public final class ResizeShortSide implements ImageTransform {
  private final int size;
  private final Interpolation interpolation;

  public ResizeShortSide(int size, Interpolation interpolation) {
    if (size <= 0) {
      throw new IllegalArgumentException("resize size must be positive, got " + size);
    }
    this.size = size;
    this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    int w = image.width();
    int h = image.height();
    boolean widthIsShort = w <= h;
    int shortSide = widthIsShort ? w : h;
    int longSide = widthIsShort ? h : w;
    if (shortSide == size) {
      return image;
    }
    int newLong = (int) ((double) size * longSide / shortSide);
    return widthIsShort
        ? Resampler.resize(image, size, newLong, interpolation)
        : Resampler.resize(image, newLong, size, interpolation);
  }

  @Override
  public String toString() {
    return "ResizeShortSide[" + size + ", " + interpolation + "]";
  }
}
