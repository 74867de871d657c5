package tfpeft.data.image;

import java.util.Objects;

/**
 * Resizes {@link RgbImage}s bit-exactly as Pillow 9.4's {@code Image.resize} does for 8-bit RGB.
 *
 * <p>BILINEAR and BICUBIC follow Pillow's {@code ImagingResample}: a horizontal pass, then a
 * vertical pass, each a convolution with {@link ResampleCoefficients} in 32-bit integer arithmetic
 * that starts from {@code 1 << (PRECISION_BITS - 1)} (round half up), shifts right and clips to
 * 0..255, so the intermediate image is rounded to uint8 as in Pillow. A pass whose size does not
 * change is skipped, and the horizontal pass only touches the source rows the vertical pass reads.
 *
 * <p>NEAREST follows Pillow's separate path ({@code ImagingScaleAffine}): the source coordinate of
 * each destination pixel is accumulated by repeated addition of the step in double precision and
 * truncated, so its rounding matches Pillow's rather than {@code floor((x + 0.5) * scale)}.
 *
 * <p>{@link #resizeRegion} resizes a sub-rectangle as if it had been cropped first (Pillow's
 * {@code img.crop(box).resize(size)}, which is what torchvision's {@code resized_crop} does): the
 * filter never reads pixels outside the region, and nothing is copied.
 */
public final class Resampler {
  private static final int HALF = 1 << (ResampleCoefficients.PRECISION_BITS - 1);

  private Resampler() {}

  /** Pillow's {@code img.resize((width, height), filter)}. */
  public static RgbImage resize(RgbImage src, int width, int height, Interpolation filter) {
    return resizeRegion(src, 0, 0, src.width(), src.height(), width, height, filter);
  }

  /**
   * Pillow's {@code img.crop((left, top, left + regionWidth, top + regionHeight))
   * .resize((width, height), filter)}; the region must lie inside the image.
   */
  public static RgbImage resizeRegion(
      RgbImage src,
      int left,
      int top,
      int regionWidth,
      int regionHeight,
      int width,
      int height,
      Interpolation filter) {
    Objects.requireNonNull(filter, "filter");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("output size must be positive, got " + width + "x" + height);
    }
    if (regionWidth <= 0 || regionHeight <= 0 || left < 0 || top < 0
        || left + regionWidth > src.width() || top + regionHeight > src.height()) {
      throw new IllegalArgumentException("region " + regionWidth + "x" + regionHeight + " at ("
          + left + ", " + top + ") is not inside a " + src.width() + "x" + src.height() + " image");
    }
    int stride = src.width() * 3;
    int origin = top * stride + left * 3;
    if (regionWidth == width && regionHeight == height) {
      return new RgbImage(width, height, copyRows(src.pixels(), origin, stride, width, height));
    }
    if (filter == Interpolation.NEAREST) {
      return nearest(src.pixels(), origin, stride, regionWidth, regionHeight, width, height);
    }
    return convolve(src.pixels(), origin, stride, regionWidth, regionHeight, width, height, filter);
  }

  private static RgbImage convolve(
      byte[] in, int origin, int stride, int inW, int inH, int outW, int outH, Interpolation f) {
    boolean needHorizontal = outW != inW;
    boolean needVertical = outH != inH;
    ResampleCoefficients vert = ResampleCoefficients.of(inH, outH, f);
    if (!needHorizontal) {
      byte[] out = new byte[outW * outH * 3];
      vertical(in, origin, stride, outW * 3, vert, 0, out);
      return new RgbImage(outW, outH, out);
    }
    ResampleCoefficients horiz = ResampleCoefficients.of(inW, outW, f);
    // Only the rows the vertical pass reads, as Pillow's ybox_first / ybox_last.
    int firstRow = needVertical ? vert.start[0] : 0;
    int lastRow = needVertical ? vert.start[outH - 1] + vert.count[outH - 1] : inH;
    int rows = lastRow - firstRow;
    byte[] tmp = new byte[outW * rows * 3];
    horizontal(in, origin + firstRow * stride, stride, rows, horiz, outW, tmp);
    if (!needVertical) {
      return new RgbImage(outW, outH, tmp);
    }
    byte[] out = new byte[outW * outH * 3];
    vertical(tmp, 0, outW * 3, outW * 3, vert, firstRow, out);
    return new RgbImage(outW, outH, out);
  }

  /** Pillow's ImagingResampleHorizontal_8bpc over {@code rows} rows starting at {@code base}. */
  private static void horizontal(
      byte[] in, int base, int stride, int rows, ResampleCoefficients c, int outW, byte[] out) {
    int[] weights = c.weights;
    int o = 0;
    for (int r = 0; r < rows; r++) {
      int rowBase = base + r * stride;
      for (int xx = 0; xx < outW; xx++) {
        int n = c.count[xx];
        int k = xx * c.ksize;
        int p = rowBase + c.start[xx] * 3;
        int s0 = HALF;
        int s1 = HALF;
        int s2 = HALF;
        for (int end = k + n; k < end; k++, p += 3) {
          int w = weights[k];
          s0 += (in[p] & 0xFF) * w;
          s1 += (in[p + 1] & 0xFF) * w;
          s2 += (in[p + 2] & 0xFF) * w;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        o += 3;
      }
    }
  }

  /**
   * Pillow's ImagingResampleVertical_8bpc; {@code rowShift} is subtracted from the tap positions
   * when the input holds only the rows from {@code rowShift} on.
   */
  private static void vertical(
      byte[] in, int base, int stride, int rowBytes, ResampleCoefficients c, int rowShift,
      byte[] out) {
    int[] weights = c.weights;
    int[] acc = new int[rowBytes];
    int outH = c.start.length;
    for (int yy = 0; yy < outH; yy++) {
      java.util.Arrays.fill(acc, HALF);
      int k = yy * c.ksize;
      int first = base + (c.start[yy] - rowShift) * stride;
      for (int t = 0; t < c.count[yy]; t++) {
        int w = weights[k + t];
        int p = first + t * stride;
        for (int i = 0; i < rowBytes; i++) {
          acc[i] += (in[p + i] & 0xFF) * w;
        }
      }
      int o = yy * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        out[o + i] = clip8(acc[i]);
      }
    }
  }

  /** Pillow's clip8: the arithmetic shift floors, then the lookup table clamps to 0..255. */
  private static byte clip8(int sum) {
    int v = sum >> ResampleCoefficients.PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /**
   * Pillow's ImagingScaleAffine with the affine step {@code inSize / outSize}: positions start at
   * half a step and accumulate; a position outside the source leaves the pixel black, as Pillow's
   * zero fill does.
   */
  private static RgbImage nearest(
      byte[] in, int origin, int stride, int inW, int inH, int outW, int outH) {
    int[] columns = nearestIndices(inW, outW);
    int[] rows = nearestIndices(inH, outH);
    byte[] out = new byte[outW * outH * 3];
    int o = 0;
    for (int y = 0; y < outH; y++) {
      if (rows[y] < 0) {
        o += outW * 3;
        continue;
      }
      int rowBase = origin + rows[y] * stride;
      for (int x = 0; x < outW; x++, o += 3) {
        if (columns[x] >= 0) {
          int p = rowBase + columns[x] * 3;
          out[o] = in[p];
          out[o + 1] = in[p + 1];
          out[o + 2] = in[p + 2];
        }
      }
    }
    return new RgbImage(outW, outH, out);
  }

  private static int[] nearestIndices(int inSize, int outSize) {
    double step = (double) inSize / outSize;
    double pos = step * 0.5;
    int[] idx = new int[outSize];
    for (int i = 0; i < outSize; i++) {
      int v = pos < 0.0 ? -1 : (int) pos;
      idx[i] = v < inSize ? v : -1;
      pos += step;
    }
    return idx;
  }

  private static byte[] copyRows(byte[] in, int origin, int stride, int width, int height) {
    byte[] out = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      System.arraycopy(in, origin + y * stride, out, y * width * 3, width * 3);
    }
    return out;
  }
}
