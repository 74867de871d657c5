package tfpeft.data.image;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomResizedCrop(size, scale, ratio, interpolation)} on a PIL image.
 *
 * <p>{@link #sampleRegion} is {@code RandomResizedCrop.get_params}: up to 10 attempts, each
 * drawing an area fraction uniformly from {@code [scaleMin, scaleMax]} and an aspect ratio
 * log-uniformly from {@code [ratioMin, ratioMax]}, with {@code w = round(sqrt(area * ratio))},
 * {@code h = round(sqrt(area / ratio))} (round half to even) and accepting when
 * {@code 0 < w <= W} and {@code 0 < h <= H}; the top, then the left offset are then drawn
 * uniformly. When all attempts fail it falls back to a centred crop whose aspect ratio is the
 * image's clamped to the ratio range. The region is then resized to {@code size x size} as
 * Pillow's {@code crop(...).resize(...)} would ({@link Resampler#resizeRegion}).
 *
 * <p>All randomness comes from the given stream, in that order, so a seed fixes the result; it
 * cannot reproduce torch's own random numbers.
 */
public final class RandomResizedCrop implements ImageTransform {
  private static final int ATTEMPTS = 10;

  /** A crop rectangle in source pixels. */
  public record Region(int left, int top, int width, int height) {}

  private final int size;
  private final double scaleMin;
  private final double scaleMax;
  private final double ratioMin;
  private final double ratioMax;
  private final Interpolation interpolation;

  /** With torchvision's default aspect ratio range [3/4, 4/3]. */
  public RandomResizedCrop(
      int size, double scaleMin, double scaleMax, Interpolation interpolation) {
    this(size, scaleMin, scaleMax, 3.0 / 4.0, 4.0 / 3.0, interpolation);
  }

  public RandomResizedCrop(
      int size,
      double scaleMin,
      double scaleMax,
      double ratioMin,
      double ratioMax,
      Interpolation interpolation) {
    if (size <= 0) {
      throw new IllegalArgumentException("crop output size must be positive, got " + size);
    }
    if (!(scaleMin >= 0 && scaleMin <= scaleMax && scaleMax > 0 && Double.isFinite(scaleMax))) {
      throw new IllegalArgumentException("crop scale range must satisfy 0 <= min <= max, max > 0;"
          + " got [" + scaleMin + ", " + scaleMax + "]");
    }
    if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
      throw new IllegalArgumentException("crop aspect ratio range must satisfy 0 < min <= max;"
          + " got [" + ratioMin + ", " + ratioMax + "]");
    }
    this.size = size;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.ratioMin = ratioMin;
    this.ratioMax = ratioMax;
    this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    Region r = sampleRegion(image.width(), image.height(), rng);
    return Resampler.resizeRegion(
        image, r.left(), r.top(), r.width(), r.height(), size, size, interpolation);
  }

  /** The crop rectangle for a {@code width x height} image. */
  public Region sampleRegion(int width, int height, SplittableRandom rng) {
    double area = (double) width * height;
    double logMin = Math.log(ratioMin);
    double logMax = Math.log(ratioMax);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double targetArea = area * uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(uniform(rng, logMin, logMax));
      int w = (int) Math.rint(Math.sqrt(targetArea * ratio));
      int h = (int) Math.rint(Math.sqrt(targetArea / ratio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new Region(left, top, w, h);
      }
    }
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < ratioMin) {
      h = (int) Math.rint(w / ratioMin);
    } else if (inRatio > ratioMax) {
      w = (int) Math.rint(h * ratioMax);
    }
    // A ratio bound far outside the image's can round a side to 0; keep at least one pixel.
    w = Math.max(1, Math.min(w, width));
    h = Math.max(1, Math.min(h, height));
    return new Region((width - w) / 2, (height - h) / 2, w, h);
  }

  /** torch's {@code uniform_(a, b)}: {@code a + (b - a) * U[0, 1)}. */
  private static double uniform(SplittableRandom rng, double a, double b) {
    return a + (b - a) * rng.nextDouble();
  }

  @Override
  public String toString() {
    return String.format("RandomResizedCrop[%d, scale=[%s, %s], ratio=[%s, %s], %s]",
        size, scaleMin, scaleMax, ratioMin, ratioMax, interpolation);
  }
}
