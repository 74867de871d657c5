package tfpeft.data.image;

import java.util.SplittableRandom;

/**
 * torchvision's {@code CenterCrop((h, w))}: the offsets are {@code int(round((H - h) / 2.0))} and
 * {@code int(round((W - w) / 2.0))} with Python's round half to even, and a crop larger than the
 * image first pads it with black, {@code (crop - size) // 2} before and the rest after, per axis.
 */
public final class CenterCrop implements ImageTransform {
  private final int width;
  private final int height;

  public CenterCrop(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("crop size must be positive, got " + width + "x"
          + height);
    }
    this.width = width;
    this.height = height;
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    int w = image.width();
    int h = image.height();
    if (w == width && h == height) {
      return image;
    }
    // Position of the crop's corner in the (possibly padded) image, minus the padding, gives the
    // corner in source coordinates; source pixels outside the image are the black padding.
    int padLeft = width > w ? (width - w) / 2 : 0;
    int padTop = height > h ? (height - h) / 2 : 0;
    int paddedW = Math.max(w, width);
    int paddedH = Math.max(h, height);
    int left = (int) Math.rint((paddedW - width) / 2.0) - padLeft;
    int top = (int) Math.rint((paddedH - height) / 2.0) - padTop;
    return crop(image, left, top, width, height);
  }

  /** The {@code width x height} window at (left, top); parts outside the image are black. */
  static RgbImage crop(RgbImage image, int left, int top, int width, int height) {
    byte[] src = image.pixels();
    byte[] out = new byte[width * height * 3];
    int x0 = Math.max(left, 0);
    int x1 = Math.min(left + width, image.width());
    for (int y = 0; y < height; y++) {
      int sy = top + y;
      if (sy < 0 || sy >= image.height() || x1 <= x0) {
        continue;
      }
      System.arraycopy(src, (sy * image.width() + x0) * 3, out, (y * width + x0 - left) * 3,
          (x1 - x0) * 3);
    }
    return new RgbImage(width, height, out);
  }

  @Override
  public String toString() {
    return "CenterCrop[" + width + "x" + height + "]";
  }
}
