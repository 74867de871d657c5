package tfpeft.data.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageReader;
import tfpeft.TfpeftException;

/**
 * Decodes image files to {@link RgbImage} with the result Pillow's
 * {@code Image.open(f).convert('RGB')} gives, which is what torchvision-based reference pipelines
 * feed their transforms.
 *
 * <p>JPEG (baseline, progressive; gray, YCbCr, RGB, CMYK, YCCK) matches Pillow sample for sample
 * when the JDK's libjpeg is the same as Pillow's (see {@link JpegDecoder}). PNG of every colour
 * type and bit depth, BMP and GIF (first frame) are read with the JDK's ImageIO plugins and
 * converted by {@link #fromBufferedImage}. Alpha is dropped without compositing, as
 * {@code convert('RGB')} does. 16-bit samples become {@code round(v / 257)}; Pillow itself keeps
 * the high byte of 16-bit colour and clips 16-bit gray, so those two kinds differ from Pillow on
 * purpose.
 *
 * <p>EXIF orientation is not applied, matching Pillow's {@code open} and torchvision's default
 * loader; colour profiles are ignored.
 *
 * <p>Every problem with the input (empty, truncated, corrupt, not an image, an unsupported format,
 * too many pixels) is a {@link TfpeftException#usage} error whose message starts with the source.
 */
public final class ImageDecoder {
  /**
   * Largest accepted width * height: Pillow's decompression-bomb error threshold (twice
   * {@code Image.MAX_IMAGE_PIXELS}), which also keeps the RGB buffer under 2 GiB.
   */
  public static final long MAX_PIXELS = 2L * 89_478_485;

  /**
   * Most memory one image's decode may take: the decoder's own raster plus the 8-bit RGB copy.
   * 512 MiB admits Pillow's warning size (89,478,485 pixels) of 8-bit RGB, whose decode takes
   * 3 + 3 bytes a pixel; with a few decoding threads the pipeline stays within a few GB
   * whatever the images claim.
   */
  public static final long MAX_DECODE_BYTES = 512L << 20;

  private static final String FIX_FILE = "re-download or re-export the file, or remove it from "
      + "the dataset";
  private static final String CONVERT = "convert it to JPEG or PNG";

  private ImageDecoder() {}

  /** Reads and decodes a file; the path is the source named in errors. */
  public static RgbImage decode(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(path + ": no such file; check the path", e);
    } catch (IOException e) {
      throw TfpeftException.usage(
          path + ": cannot read the file (" + e.getMessage() + "); check its permissions", e);
    }
    return decode(bytes, path.toString());
  }

  /**
   * Decodes JPEG, PNG, BMP or GIF bytes. {@code source} names the input in error messages: a
   * path, or {@code file:line} for an image referenced from a list.
   */
  public static RgbImage decode(byte[] bytes, String source) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw TfpeftException.usage(source + ": the file is empty (0 bytes); " + FIX_FILE);
    }
    Format format = Format.sniff(bytes);
    switch (format) {
      case JPEG:
        return JpegDecoder.decode(bytes, source);
      case PNG:
      case BMP:
      case GIF:
        return decodeWithImageIo(bytes, source, format);
      default:
        throw notAnImage(bytes, source);
    }
  }

  /** Pillow's {@code convert('RGB')} of an image already in memory; see the class comment. */
  public static RgbImage fromBufferedImage(BufferedImage image) {
    return BufferedImages.toRgb(Objects.requireNonNull(image, "image"));
  }

  /** A {@code TYPE_3BYTE_BGR} copy, for ImageIO writers and AWT drawing. */
  public static BufferedImage toBufferedImage(RgbImage image) {
    return BufferedImages.fromRgb(Objects.requireNonNull(image, "image"));
  }

  private static RgbImage decodeWithImageIo(byte[] bytes, String source, Format format) {
    ImageReader reader = ImageIoReaders.create(format.imageIoName);
    BufferedImage image;
    try {
      reader.setInput(new ByteArrayImageInputStream(bytes), true, true);
      checkSize(reader.getWidth(0), reader.getHeight(0), source);
      checkDecodeMemory(reader.getWidth(0), reader.getHeight(0), rasterBytesPerPixel(reader),
          format.name(), source);
      image = reader.read(0);
    } catch (IOException | RuntimeException e) {
      if (e instanceof TfpeftException t) {
        throw t;
      }
      throw corrupt(source, "cannot decode " + format + " (" + describe(e) + ")", e);
    } finally {
      reader.dispose();
    }
    if (format == Format.PNG && image.getColorModel() instanceof java.awt.image.IndexColorModel) {
      int entries = PngPalette.entries(bytes);
      return BufferedImages.paletteAsPillow(image, entries, source, WARNINGS);
    }
    return fromBufferedImage(image);
  }

  /** Where decoding warnings go (stderr unless a command routes them), once per source. */
  private static final PngPalette.Warnings WARNINGS = new PngPalette.Warnings();

  /** Routes decoding warnings (a palette index beyond the PLTE) to {@code sink}. */
  public static void setWarnings(java.util.function.Consumer<String> sink) {
    WARNINGS.sink(sink);
  }

  /** The messages of an exception and its causes, for reader failures that wrap the reason. */
  static String describe(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
      if (out.indexOf(m) < 0) {
        out.append(out.length() == 0 ? "" : ": ").append(m);
      }
    }
    return out.toString();
  }

  static void checkSize(long width, long height, String source) {
    if (width * height > MAX_PIXELS) {
      throw TfpeftException.usage(String.format(
          "%s: the image is %dx%d, more than %d pixels; downscale it before training",
          source, width, height, MAX_PIXELS));
    }
  }

  /** Bytes per pixel of the raster the reader decodes into (its samples, rounded up). */
  private static int rasterBytesPerPixel(ImageReader reader) throws IOException {
    javax.imageio.ImageTypeSpecifier type = reader.getRawImageType(0);
    if (type == null) {
      return 8; // unknown: the widest a supported format decodes to (16-bit RGBA)
    }
    int bytes = 0;
    for (int bits : type.getSampleModel().getSampleSize()) {
      bytes += bits > 8 ? 2 : 1;
    }
    return bytes;
  }

  /**
   * Refuses an image whose decode would take more than {@link #MAX_DECODE_BYTES}: its
   * decoder's raster ({@code rasterBytesPerPixel} a pixel) and the RGB result (3).
   */
  static void checkDecodeMemory(long width, long height, int rasterBytesPerPixel, String format,
      String source) {
    long bytes = width * height * (rasterBytesPerPixel + 3L);
    if (bytes > MAX_DECODE_BYTES) {
      throw TfpeftException.usage(String.format(
          "%s: decoding this %dx%d %s would take %d MB (%d bytes a pixel), more than the %d MB"
          + " an image may take; downscale it before training", source, width, height, format,
          bytes >> 20, rasterBytesPerPixel + 3, MAX_DECODE_BYTES >> 20));
    }
  }

  static TfpeftException corrupt(String source, String what) {
    return TfpeftException.usage(source + ": " + what + "; " + FIX_FILE);
  }

  static TfpeftException corrupt(String source, String what, Throwable cause) {
    return TfpeftException.usage(source + ": " + what + "; " + FIX_FILE, cause);
  }

  static TfpeftException unsupported(String source, String what) {
    return TfpeftException.usage(source + ": " + what + " is not supported; " + CONVERT);
  }

  private static TfpeftException notAnImage(byte[] bytes, String source) {
    String other = Format.unsupportedName(bytes);
    if (other != null) {
      return unsupported(source, other + " image");
    }
    if (looksLikeText(bytes)) {
      // what the file says is never shown: a path in a list may point at anything readable
      return TfpeftException.usage(source + ": this is a text file, not an image; check that"
          + " the path points at an image");
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 8); i++) {
      hex.append(String.format(" %02x", bytes[i] & 0xFF));
    }
    return TfpeftException.usage(source + ": not a JPEG, PNG, BMP or GIF image (first bytes"
        + hex + "); " + FIX_FILE);
  }

  private static boolean looksLikeText(byte[] bytes) {
    int n = Math.min(bytes.length, 512);
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xFF;
      boolean text = b >= 0x20 && b != 0x7F || b == '\t' || b == '\n' || b == '\r' || b >= 0x80;
      if (!text) {
        return false;
      }
    }
    return true;
  }

  /** Formats recognised by their leading bytes. */
  enum Format {
    JPEG("jpeg"), PNG("png"), BMP("bmp"), GIF("gif"), UNKNOWN(null);

    final String imageIoName;

    Format(String imageIoName) {
      this.imageIoName = imageIoName;
    }

    static Format sniff(byte[] b) {
      if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
        return JPEG;
      }
      if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
        return PNG;
      }
      if (startsWith(b, 'G', 'I', 'F', '8') && b.length > 5 && (b[4] == '7' || b[4] == '9')) {
        return GIF;
      }
      if (startsWith(b, 'B', 'M') && b.length >= 26) {
        return BMP;
      }
      return UNKNOWN;
    }

    /** Names formats that are images but not decoded here, for a precise error message. */
    static String unsupportedName(byte[] b) {
      if (startsWith(b, 'I', 'I', '*', 0) || startsWith(b, 'M', 'M', 0, '*')) {
        return "TIFF";
      }
      if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E'
          && b[10] == 'B' && b[11] == 'P') {
        return "WebP";
      }
      if (b.length >= 12 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
        return "HEIF/AVIF";
      }
      if (startsWith(b, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ') || startsWith(b, 0xFF, 0x4F, 0xFF)) {
        return "JPEG 2000";
      }
      if (startsWith(b, '8', 'B', 'P', 'S')) {
        return "Photoshop";
      }
      return null;
    }

    private static boolean startsWith(byte[] b, int... prefix) {
      if (b.length < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if ((b[i] & 0xFF) != prefix[i]) {
          return false;
        }
      }
      return true;
    }
  }
}
