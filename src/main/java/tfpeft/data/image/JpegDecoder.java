package tfpeft.data.image;

import java.awt.image.Raster;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageReader;

/**
 * Decodes JPEG to RGB as Pillow does. The JDK reader's {@code readRaster} hands back the decoded
 * components (libjpeg's ISLOW IDCT and fancy upsampling, as Pillow uses) with colour conversion
 * switched off; the conversion to RGB happens here, from the colour space libjpeg infers
 * ({@link JpegHeader#colorSpace()}), with libjpeg's and Pillow's integer arithmetic. Embedded ICC
 * profiles are removed before decoding: Pillow's {@code convert('RGB')} ignores them, and the JDK
 * reader would otherwise parse and validate them for nothing.
 */
final class JpegDecoder {
  private JpegDecoder() {}

  static RgbImage decode(byte[] data, String source) {
    JpegHeader header = JpegHeader.parse(data, source);
    check(header, source);
    Raster raster = readRaster(header.withoutIccProfiles(data), source);
    if (raster.getWidth() != header.width || raster.getHeight() != header.height
        || raster.getNumBands() != header.componentIds.length) {
      throw ImageDecoder.corrupt(source, "JPEG decoded to an unexpected shape");
    }
    return toRgb(new RasterRows(raster), header.colorSpace());
  }

  private static void check(JpegHeader h, String source) {
    if (h.precision != 8) {
      throw ImageDecoder.unsupported(source, h.precision + "-bit JPEG (only 8-bit is supported)");
    }
    int n = h.componentIds.length;
    if (n != 1 && n != 3 && n != 4) {
      throw ImageDecoder.unsupported(source, "JPEG with " + n + " colour components");
    }
    if (h.width == 0 || h.height == 0) {
      throw ImageDecoder.unsupported(source, "JPEG without a height in its frame header (DNL)");
    }
    ImageDecoder.checkSize(h.width, h.height, source);
    ImageDecoder.checkDecodeMemory(h.width, h.height, n, "JPEG", source);
  }

  private static Raster readRaster(byte[] data, String source) {
    ImageReader reader = ImageIoReaders.create("jpeg");
    String[] truncation = new String[1];
    try {
      reader.setInput(new ByteArrayImageInputStream(data), true, true);
      reader.addIIOReadWarningListener((r, warning) -> {
        if (isTruncation(warning)) {
          truncation[0] = warning;
        }
      });
      Raster raster = reader.readRaster(0, null);
      if (truncation[0] != null) {
        throw ImageDecoder.corrupt(source, "JPEG data is truncated (" + truncation[0] + ")");
      }
      return raster;
    } catch (IOException | RuntimeException e) {
      if (e instanceof tfpeft.TfpeftException t) {
        throw t;
      }
      throw ImageDecoder.corrupt(
          source, "cannot decode JPEG (" + ImageDecoder.describe(e) + ")", e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * Pillow refuses a JPEG whose data ends early, even when only the end marker is missing
   * ("image file is truncated"); the JDK reader decodes it with a warning, so the warning decides.
   */
  private static boolean isTruncation(String warning) {
    String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
    return w.contains("missing eoi") || w.contains("premature end of jpeg file");
  }

  private static RgbImage toRgb(RasterRows rows, JpegHeader.ColorSpace space) {
    int w = rows.width;
    byte[] out = new byte[w * rows.height * 3];
    int o = 0;
    for (int y = 0; y < rows.height; y++) {
      int[] s = rows.row(y);
      switch (space) {
        case GRAY:
          for (int x = 0; x < w; x++, o += 3) {
            byte v = (byte) s[x];
            out[o] = v;
            out[o + 1] = v;
            out[o + 2] = v;
          }
          break;
        case RGB:
          for (int i = 0; i < w * 3; i++) {
            out[o++] = (byte) s[i];
          }
          break;
        case YCBCR:
          for (int i = 0; i < w * 3; i += 3, o += 3) {
            int luma = s[i];
            int cb = s[i + 1];
            int cr = s[i + 2];
            out[o] = (byte) ColorConversions.yccRed(luma, cr);
            out[o + 1] = (byte) ColorConversions.yccGreen(luma, cb, cr);
            out[o + 2] = (byte) ColorConversions.yccBlue(luma, cb);
          }
          break;
        case CMYK:
          // Pillow reads every 4-component JPEG as Adobe-style inverted CMYK ("CMYK;I"), with or
          // without an Adobe marker, so the ink amount is 255 minus the stored value.
          for (int i = 0; i < w * 4; i += 4, o += 3) {
            int black = 255 - s[i + 3];
            out[o] = (byte) ColorConversions.cmykToRgb(255 - s[i], black);
            out[o + 1] = (byte) ColorConversions.cmykToRgb(255 - s[i + 1], black);
            out[o + 2] = (byte) ColorConversions.cmykToRgb(255 - s[i + 2], black);
          }
          break;
        case YCCK:
          // libjpeg turns YCC into 255 - RGB as the stored CMY; Pillow's inversion undoes that,
          // so the ink amounts are the YCC-to-RGB values themselves.
          for (int i = 0; i < w * 4; i += 4, o += 3) {
            int luma = s[i];
            int cb = s[i + 1];
            int cr = s[i + 2];
            int black = 255 - s[i + 3];
            out[o] = (byte) ColorConversions.cmykToRgb(ColorConversions.yccRed(luma, cr), black);
            out[o + 1] = (byte) ColorConversions.cmykToRgb(
                ColorConversions.yccGreen(luma, cb, cr), black);
            out[o + 2] = (byte) ColorConversions.cmykToRgb(
                ColorConversions.yccBlue(luma, cb), black);
          }
          break;
        default:
          throw new IllegalStateException(space.toString());
      }
    }
    return new RgbImage(w, rows.height, out);
  }
}
