package tfpeft.data.image;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Resizes to a fixed size regardless of aspect ratio: torchvision's {@code Resize((h, w))} on a
 * PIL image, e.g. the 224x224 bicubic resize of the VTAB-1k protocol.
 */
public final class Resize implements ImageTransform {
  private final int width;
  private final int height;
  private final Interpolation interpolation;

  public Resize(int width, int height, Interpolation interpolation) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("resize target must be positive, got " + width + "x"
          + height);
    }
    this.width = width;
    this.height = height;
    this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    if (image.width() == width && image.height() == height) {
      return image; // Pillow copies an image resized to its own size unchanged
    }
    return Resampler.resize(image, width, height, interpolation);
  }

  @Override
  public String toString() {
    return "Resize[" + width + "x" + height + ", " + interpolation + "]";
  }
}
