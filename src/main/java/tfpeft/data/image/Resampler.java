package tfpeft.data.image;

import java.util.Arrays;
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
      throw new IllegalArgumentException(
          "output size must be positive, got " + width + "x" + height);
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
    // Only the rows the vertical pass reads, as Pillow's ybox_first / ybox_last.
    int firstRow = needVertical ? vert.start[0] : 0;
    int lastRow = needVertical ? vert.start[outH - 1] + vert.count[outH - 1] : inH;
    int rows = lastRow - firstRow;
    int rowInts = outW * 3;
    int[] tmp = new int[rowInts * rows];
    int base = origin + firstRow * stride;
    if (needHorizontal) {
      horizontal(in, base, stride, inW * 3, rows, ResampleCoefficients.of(inW, outW, f), outW, tmp);
    } else {
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < rowInts; i++) {
          tmp[r * rowInts + i] = in[base + r * stride + i] & 0xFF;
        }
      }
    }
    byte[] out = new byte[rowInts * outH];
    if (needVertical) {
      vertical(tmp, rowInts, vert, firstRow, out);
    } else {
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) tmp[i];
      }
    }
    return new RgbImage(outW, outH, out);
  }

  /**
   * Pillow's ImagingResampleHorizontal_8bpc over {@code rows} rows starting at {@code base}; the
   * clipped results go to {@code out} as ints so that the vertical pass reads them without
   * widening.
   */
  private static void horizontal(
      byte[] in, int base, int stride, int rowBytes, int rows, ResampleCoefficients c, int outW,
      int[] out) {
    int[] weights = c.weights;
    int[] start = c.start;
    int[] count = c.count;
    int ksize = c.ksize;
    int[] row = new int[rowBytes];
    int o = 0;
    for (int r = 0; r < rows; r++) {
      int rowBase = base + r * stride;
      for (int i = 0; i < rowBytes; i++) {
        row[i] = in[rowBase + i] & 0xFF;
      }
      for (int xx = 0; xx < outW; xx++) {
        int k = xx * ksize;
        int end = k + count[xx];
        int p = start[xx] * 3;
        int s0 = HALF;
        int s1 = HALF;
        int s2 = HALF;
        for (; k < end; k++, p += 3) {
          int w = weights[k];
          s0 += row[p] * w;
          s1 += row[p + 1] * w;
          s2 += row[p + 2] * w;
        }
        out[o] = clip(s0);
        out[o + 1] = clip(s1);
        out[o + 2] = clip(s2);
        o += 3;
      }
    }
  }

  /**
   * Pillow's ImagingResampleVertical_8bpc over rows of {@code rowInts} samples; {@code rowShift}
   * is the source row that {@code in} starts at. Accumulating a whole output row tap by tap keeps
   * the inner loop contiguous, which the JIT can vectorise; the sums are the same as Pillow's.
   */
  private static void vertical(
      int[] in, int rowInts, ResampleCoefficients c, int rowShift, byte[] out) {
    int[] weights = c.weights;
    int[] acc = new int[rowInts];
    int outH = c.start.length;
    for (int yy = 0; yy < outH; yy++) {
      Arrays.fill(acc, HALF);
      int k = yy * c.ksize;
      int first = (c.start[yy] - rowShift) * rowInts;
      for (int t = 0; t < c.count[yy]; t++) {
        int w = weights[k + t];
        int p = first + t * rowInts;
        for (int i = 0; i < rowInts; i++) {
          acc[i] += in[p + i] * w;
        }
      }
      int o = yy * rowInts;
      for (int i = 0; i < rowInts; i++) {
        out[o + i] = (byte) clip(acc[i]);
      }
    }
  }

  /** Pillow's clip8: the arithmetic shift floors, then the lookup table clamps to 0..255. */
  private static int clip(int sum) {
    int v = sum >> ResampleCoefficients.PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
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
