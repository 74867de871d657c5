package tfpeft.data.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC). Every decoder output and every
 * geometric transform works on this one type, so the arithmetic matches PIL's uint8 pipeline that
 * torchvision-based reference code uses.
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] pixels;

  public RgbImage(int width, int height, byte[] pixels) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (pixels.length != width * height * 3) {
      throw new IllegalArgumentException(
          "pixel buffer has " + pixels.length + " bytes, expected " + (width * height * 3));
    }
    this.width = width;
    this.height = height;
    this.pixels = pixels;
  }

  /** A black image. */
  public static RgbImage blank(int width, int height) {
    return new RgbImage(width, height, new byte[width * height * 3]);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The backing array (HWC, RGB); callers that modify it own the image. */
  public byte[] pixels() {
    return pixels;
  }

  /** Channel c (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
  public int get(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xFF;
  }

  public void set(int x, int y, int c, int value) {
    pixels[(y * width + x) * 3 + c] = (byte) value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && other.width == width
        && other.height == height
        && Arrays.equals(other.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
