package tfpeft.data.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * Reads a raster one row at a time as band-interleaved int samples. Byte rasters with a component
 * layout (what the JPEG, PNG and BMP readers produce for 8-bit data) are read straight from their
 * buffer; anything else goes through {@link Raster#getPixels}.
 */
final class RasterRows {
  final int width;
  final int height;
  final int bands;
  private final Raster raster;
  private final int[] row;
  private final byte[] bytes;
  private final int base;
  private final int pixelStride;
  private final int scanlineStride;
  private final int[] bandOffsets;
  /** Bands stored in order with no gaps, so a row is one contiguous run of bytes. */
  private final boolean contiguous;

  RasterRows(Raster raster) {
    this.raster = raster;
    this.width = raster.getWidth();
    this.height = raster.getHeight();
    this.bands = raster.getNumBands();
    this.row = new int[width * bands];
    byte[] direct = null;
    int b = 0;
    int ps = 0;
    int ss = 0;
    int[] offsets = null;
    if (raster.getDataBuffer() instanceof DataBufferByte buffer
        && buffer.getNumBanks() == 1
        && raster.getSampleModel() instanceof ComponentSampleModel sm
        && allEight(sm.getSampleSize())) {
      direct = buffer.getData();
      ps = sm.getPixelStride();
      ss = sm.getScanlineStride();
      offsets = sm.getBandOffsets();
      b = buffer.getOffset()
          + (raster.getMinY() - raster.getSampleModelTranslateY()) * ss
          + (raster.getMinX() - raster.getSampleModelTranslateX()) * ps;
    }
    this.bytes = direct;
    this.base = b;
    this.pixelStride = ps;
    this.scanlineStride = ss;
    this.bandOffsets = offsets;
    boolean seq = direct != null && ps == bands;
    for (int i = 0; seq && i < bands; i++) {
      seq = offsets[i] == i;
    }
    this.contiguous = seq;
  }

  private static boolean allEight(int[] sizes) {
    for (int s : sizes) {
      if (s != 8) {
        return false;
      }
    }
    return true;
  }

  /** Samples of row {@code y}: pixel x, band b at {@code x * bands + b}; the array is reused. */
  int[] row(int y) {
    if (bytes == null) {
      return raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
    }
    int p = base + y * scanlineStride;
    if (contiguous) {
      for (int i = 0; i < row.length; i++) {
        row[i] = bytes[p + i] & 0xFF;
      }
      return row;
    }
    int o = 0;
    for (int x = 0; x < width; x++, p += pixelStride) {
      for (int b = 0; b < bands; b++) {
        row[o++] = bytes[p + bandOffsets[b]] & 0xFF;
      }
    }
    return row;
  }
}
