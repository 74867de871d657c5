package tfpeft.data.synthetic;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes the suite's files: PNG images, UTF-8 text and JSON (ending in a newline). Every file is
 * new in a fresh staging directory, so files are opened with CREATE_NEW: besides refusing to
 * clobber anything, this is several times faster for tens of thousands of small files on ext4,
 * which flushes a file on close when it was opened with truncation.
 */
final class OutputFiles {
  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

  private OutputFiles() {}

  /**
   * The PNG encoding of {@code image}; deterministic for a given image. Encoding into memory
   * bypasses ImageIO's disk cache, which would otherwise spill every stream to a temporary file.
   */
  static byte[] encodePng(BufferedImage image) {
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

  /** Writes {@code image} as PNG to the new file {@code file}; unchecked for use in workers. */
  static void writePng(BufferedImage image, Path file) {
    try {
      writeNew(file, encodePng(image));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static void writePrettyJson(Path file, JsonElement json) throws IOException {
    writeText(file, PRETTY.toJson(json) + "\n");
  }

  /** One line; for the large split files, where indentation would only multiply the size. */
  static void writeCompactJson(Path file, JsonElement json) throws IOException {
    writeText(file, COMPACT.toJson(json) + "\n");
  }

  static void writeLines(Path file, List<String> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      text.append(line).append('\n');
    }
    writeText(file, text.toString());
  }

  static void writeText(Path file, String text) throws IOException {
    writeNew(file, text.getBytes(StandardCharsets.UTF_8));
  }

  static JsonElement jsonStrings(List<String> values) {
    return PRETTY.toJsonTree(values);
  }

  private static void writeNew(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }
}
