package tfpeft.data.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;

/**
 * Conversions between {@link BufferedImage} and {@link RgbImage} with Pillow's
 * {@code convert('RGB')} rules: stored samples are taken as they are (no colour management, no
 * gamma), alpha is dropped, gray is replicated, palettes are looked up, CMYK is converted with
 * Pillow's formula and samples that are not 8 bits wide are rescaled
 * ({@link ColorConversions#scaleTable}).
 *
 * <p>{@link BufferedImage#getRGB} is avoided wherever the samples can be read directly: for gray
 * images it converts linear gray to sRGB and changes the values. It remains the fallback for
 * floating-point samples, premultiplied alpha and colour spaces other than gray, RGB and CMYK.
 */
final class BufferedImages {
  private BufferedImages() {}

  static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    WritableRaster raster = image.getRaster();
    int transfer = raster.getTransferType();
    boolean integral = transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT
        || transfer == DataBuffer.TYPE_INT;
    if (!integral) {
      return viaGetRgb(image);
    }
    if (cm instanceof IndexColorModel icm) {
      return palette(new RasterRows(raster), icm);
    }
    int[] sizes = raster.getSampleModel().getSampleSize();
    for (int s : sizes) {
      if (s < 1 || s > 16) {
        return viaGetRgb(image);
      }
    }
    if (cm.isAlphaPremultiplied()) {
      return viaGetRgb(image);
    }
    int type = cm.getColorSpace().getType();
    int colors = cm.getNumColorComponents();
    if (colors == 1 && type == ColorSpace.TYPE_GRAY) {
      return samples(new RasterRows(raster), sizes, new int[] {0, 0, 0});
    }
    if (colors == 3 && type == ColorSpace.TYPE_RGB) {
      return samples(new RasterRows(raster), sizes, new int[] {0, 1, 2});
    }
    if (colors == 4 && type == ColorSpace.TYPE_CMYK) {
      return cmyk(new RasterRows(raster), sizes);
    }
    return viaGetRgb(image);
  }

  /** Output channel c takes band {@code bandOf[c]}, rescaled to 8 bits. */
  private static RgbImage samples(RasterRows rows, int[] sizes, int[] bandOf) {
    byte[][] scale = new byte[3][];
    for (int c = 0; c < 3; c++) {
      scale[c] = ColorConversions.scaleTable(sizes[bandOf[c]]);
    }
    int w = rows.width;
    int bands = rows.bands;
    byte[] out = new byte[w * rows.height * 3];
    int o = 0;
    for (int y = 0; y < rows.height; y++) {
      int[] s = rows.row(y);
      for (int x = 0, p = 0; x < w; x++, p += bands) {
        out[o++] = scale[0][s[p + bandOf[0]]];
        out[o++] = scale[1][s[p + bandOf[1]]];
        out[o++] = scale[2][s[p + bandOf[2]]];
      }
    }
    return new RgbImage(w, rows.height, out);
  }

  /** Java CMYK images hold ink amounts (not inverted), which Pillow's formula expects. */
  private static RgbImage cmyk(RasterRows rows, int[] sizes) {
    byte[][] scale = new byte[4][];
    for (int b = 0; b < 4; b++) {
      scale[b] = ColorConversions.scaleTable(sizes[b]);
    }
    int w = rows.width;
    int bands = rows.bands;
    byte[] out = new byte[w * rows.height * 3];
    int o = 0;
    for (int y = 0; y < rows.height; y++) {
      int[] s = rows.row(y);
      for (int x = 0, p = 0; x < w; x++, p += bands) {
        int black = scale[3][s[p + 3]] & 0xFF;
        for (int c = 0; c < 3; c++) {
          out[o++] = (byte) ColorConversions.cmykToRgb(scale[c][s[p + c]] & 0xFF, black);
        }
      }
    }
    return new RgbImage(w, rows.height, out);
  }

  /**
   * A PNG palette image as Pillow converts it: the first {@code entries} indices (the PLTE
   * chunk's) read the palette; Pillow's palette beyond them is its initial gray ramp, so index
   * i reads (i, i, i). The JDK's reader pads a short palette with its last entry instead, so
   * its colour model's size is not the PLTE's.
   */
  static RgbImage paletteAsPillow(BufferedImage image, int entries, String source,
      PngPalette.Warnings warnings) {
    IndexColorModel icm = (IndexColorModel) image.getColorModel();
    RasterRows rows = new RasterRows(image.getRaster());
    int n = Math.min(entries, icm.getMapSize());
    RgbImage rgb = palette(rows, icm, n);
    int beyond = -1;
    for (int y = 0; y < rows.height && beyond < 0; y++) {
      int[] s = rows.row(y);
      for (int x = 0; x < rows.width; x++) {
        if (s[x * rows.bands] >= n) {
          beyond = s[x * rows.bands];
          break;
        }
      }
    }
    if (beyond >= 0) {
      warnings.once(source, source + ": palette index " + beyond + " (and maybe others) is"
          + " beyond the " + n + " entries of the PNG's PLTE; read as gray (i, i, i), as Pillow"
          + " reads it");
    }
    return rgb;
  }

  private static RgbImage palette(RasterRows rows, IndexColorModel icm) {
    return palette(rows, icm, icm.getMapSize());
  }

  /** Palette entries are 8-bit already; index i past the first {@code n} reads (i, i, i). */
  private static RgbImage palette(RasterRows rows, IndexColorModel icm, int n) {
    byte[] r = new byte[icm.getMapSize()];
    byte[] g = new byte[icm.getMapSize()];
    byte[] b = new byte[icm.getMapSize()];
    icm.getReds(r);
    icm.getGreens(g);
    icm.getBlues(b);
    int w = rows.width;
    byte[] out = new byte[w * rows.height * 3];
    int o = 0;
    for (int y = 0; y < rows.height; y++) {
      int[] s = rows.row(y);
      for (int x = 0; x < w; x++, o += 3) {
        int i = s[x * rows.bands];
        if (i < n) {
          out[o] = r[i];
          out[o + 1] = g[i];
          out[o + 2] = b[i];
        } else {
          out[o] = out[o + 1] = out[o + 2] = (byte) i;
        }
      }
    }
    return new RgbImage(w, rows.height, out);
  }

  private static RgbImage viaGetRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] out = new byte[w * h * 3];
    for (int i = 0, o = 0; i < argb.length; i++, o += 3) {
      out[o] = (byte) (argb[i] >> 16);
      out[o + 1] = (byte) (argb[i] >> 8);
      out[o + 2] = (byte) argb[i];
    }
    return new RgbImage(w, h, out);
  }

  static BufferedImage fromRgb(RgbImage image) {
    BufferedImage out =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.pixels();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return out;
  }
}
