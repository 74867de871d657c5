package tfpeft.data.synthetic;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes PNGs with ImageIO's writer into memory and writes them with one call. Encoding into
 * memory bypasses ImageIO's disk cache (it would otherwise spill every stream to a temporary file)
 * and makes write errors surface as ordinary IOExceptions naming the file.
 */
final class PngFiles {
  private PngFiles() {}

  /** The PNG encoding of {@code image}; deterministic for a given image. */
  static byte[] encode(BufferedImage image) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) {
      throw new IllegalStateException("this Java runtime has no PNG writer");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      writer.write(image);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * Writes {@code image} to the new file {@code file} as PNG. Opening with CREATE_NEW rather than
   * the default truncate makes creating tens of thousands of small files several times faster on
   * ext4, which flushes a truncated file on close; it also refuses to clobber an existing file.
   */
  static void write(BufferedImage image, Path file) {
    byte[] png = encode(image);
    try {
      Files.write(file, png, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
