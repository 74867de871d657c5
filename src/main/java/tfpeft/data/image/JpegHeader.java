package tfpeft.data.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The markers of a JPEG up to its first scan: frame size, components, the JFIF / Adobe markers
 * that decide the colour space, and the ICC profile segments. Parsing follows libjpeg's marker
 * reader, which tolerates stray bytes between markers.
 */
final class JpegHeader {
  /** The colour space of the stored components, as libjpeg decides it. */
  enum ColorSpace { GRAY, YCBCR, RGB, CMYK, YCCK }

  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;
  private static final int SOS = 0xDA;
  private static final int APP0 = 0xE0;
  private static final int APP2 = 0xE2;
  private static final int APP14 = 0xEE;

  int sofMarker = -1;
  int precision;
  int width;
  int height;
  int[] componentIds = new int[0];
  boolean sawJfif;
  /** The Adobe APP14 transform flag, or -1 when there is no Adobe marker. */
  int adobeTransform = -1;
  /** [start, end) byte ranges of APP2 ICC_PROFILE segments. */
  final List<int[]> iccSegments = new ArrayList<>();

  private JpegHeader() {}

  static JpegHeader parse(byte[] data, String source) {
    JpegHeader h = new JpegHeader();
    int pos = 2;
    while (true) {
      // libjpeg's next_marker: skip anything up to 0xFF, then fill bytes.
      while (pos < data.length && (data[pos] & 0xFF) != 0xFF) {
        pos++;
      }
      while (pos < data.length && (data[pos] & 0xFF) == 0xFF) {
        pos++;
      }
      if (pos >= data.length) {
        throw ImageDecoder.corrupt(source, "JPEG data ends before the first scan (truncated)");
      }
      int marker = data[pos] & 0xFF;
      int segment = pos - 1;
      pos++;
      if (marker == EOI) {
        throw ImageDecoder.corrupt(source, "JPEG has no image data (end marker before any scan)");
      }
      if (marker == SOI) {
        throw ImageDecoder.corrupt(source, "JPEG has two start-of-image markers");
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // TEM and RSTn stand alone
      }
      if (pos + 2 > data.length) {
        throw ImageDecoder.corrupt(source, "JPEG data ends inside a marker (truncated)");
      }
      int length = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
      int body = pos + 2;
      int end = pos + length;
      if (length < 2 || end > data.length) {
        throw ImageDecoder.corrupt(
            source, String.format("JPEG marker 0x%02X runs past the end of the data (truncated)",
                marker));
      }
      int n = length - 2;
      if (marker == SOS) {
        if (h.sofMarker < 0) {
          throw ImageDecoder.corrupt(source, "JPEG scan starts before the frame header");
        }
        return h;
      } else if (isSof(marker)) {
        h.readFrame(data, body, n, marker, source);
      } else if (marker == APP0 && n >= 14 && startsWith(data, body, "JFIF\0")) {
        // libjpeg's examine_app0 needs the full 14-byte JFIF header.
        h.sawJfif = true;
      } else if (marker == APP14 && n >= 12 && startsWith(data, body, "Adobe")) {
        h.adobeTransform = data[body + 11] & 0xFF;
      } else if (marker == APP2 && n >= 12 && startsWith(data, body, "ICC_PROFILE\0")) {
        h.iccSegments.add(new int[] {segment, end});
      }
      pos = end;
    }
  }

  private static boolean isSof(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
        && marker != 0xCC;
  }

  private void readFrame(byte[] data, int body, int n, int marker, String source) {
    if (n < 6 || n < 6 + 3 * (data[body + 5] & 0xFF)) {
      throw ImageDecoder.corrupt(source, "JPEG frame header is too short");
    }
    sofMarker = marker;
    precision = data[body] & 0xFF;
    height = ((data[body + 1] & 0xFF) << 8) | (data[body + 2] & 0xFF);
    width = ((data[body + 3] & 0xFF) << 8) | (data[body + 4] & 0xFF);
    componentIds = new int[data[body + 5] & 0xFF];
    for (int i = 0; i < componentIds.length; i++) {
      componentIds[i] = data[body + 6 + 3 * i] & 0xFF;
    }
  }

  private static boolean startsWith(byte[] data, int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (data[at + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * libjpeg-turbo's default_decompress_parms: JFIF implies YCbCr; otherwise the Adobe transform
   * decides (0: untransformed RGB or CMYK, else YCbCr or YCCK); otherwise 3-component ids 'R', 'G',
   * 'B' mean RGB and anything else YCbCr; 4 components without Adobe marker are CMYK.
   */
  ColorSpace colorSpace() {
    switch (componentIds.length) {
      case 1:
        return ColorSpace.GRAY;
      case 3:
        if (sawJfif) {
          return ColorSpace.YCBCR;
        }
        if (adobeTransform >= 0) {
          return adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
        }
        boolean rgbIds = componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B';
        return rgbIds ? ColorSpace.RGB : ColorSpace.YCBCR;
      case 4:
        return adobeTransform < 0 || adobeTransform == 0 ? ColorSpace.CMYK : ColorSpace.YCCK;
      default:
        throw new IllegalStateException(componentIds.length + " components");
    }
  }

  /** The data without its ICC profile segments (the same array when there are none). */
  byte[] withoutIccProfiles(byte[] data) {
    if (iccSegments.isEmpty()) {
      return data;
    }
    int removed = 0;
    for (int[] s : iccSegments) {
      removed += s[1] - s[0];
    }
    byte[] out = new byte[data.length - removed];
    int from = 0;
    int to = 0;
    for (int[] s : iccSegments) {
      System.arraycopy(data, from, out, to, s[0] - from);
      to += s[0] - from;
      from = s[1];
    }
    System.arraycopy(data, from, out, to, data.length - from);
    return out;
  }
}
