package tfpeft.data.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import tfpeft.TfpeftException;

/** Encodes {@link RgbImage}s with the JDK's ImageIO writers (for previews, debugging, tests). */
public final class ImageEncoder {
  private ImageEncoder() {}

  /** A lossless 8-bit RGB PNG. */
  public static byte[] png(RgbImage image) {
    return encode(image, "png", null);
  }

  /**
   * A baseline JFIF JPEG with the JDK writer's defaults (4:2:0 chroma subsampling, standard
   * tables scaled to {@code quality}, which runs from 0 to 1 like ImageWriteParam's).
   */
  public static byte[] jpeg(RgbImage image, float quality) {
    if (!(quality >= 0f && quality <= 1f)) {
      throw new IllegalArgumentException("JPEG quality must be in [0, 1], got " + quality);
    }
    return encode(image, "jpeg", quality);
  }

  /** Writes {@link #png} to {@code path}, replacing an existing file. */
  public static void writePng(RgbImage image, Path path) {
    byte[] bytes = png(image);
    try {
      Files.write(path, bytes);
    } catch (IOException e) {
      throw TfpeftException.failure(path + ": cannot write the PNG (" + e.getMessage()
          + "); check that the directory exists, is writable and has space", e);
    }
  }

  private static byte[] encode(RgbImage image, String format, Float quality) {
    ImageWriter writer = writer(format);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (quality != null) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
      }
      writer.write(null, new IIOImage(ImageDecoder.toBufferedImage(image), null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + format + " in memory failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static ImageWriter writer(String format) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IllegalStateException("this Java runtime has no ImageIO writer for " + format);
    }
    return writers.next();
  }
}
