package tfpeft.train.log;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import tfpeft.TfpeftException;

/**
 * {@code metrics.jsonl}: one JSON object per line, each with a {@code kind} ("step", "epoch",
 * "eval", "test"). Lines are written whole as they happen; a resumed run cuts the file back to
 * the length its checkpoint recorded, so the finished file reads as if the run had never stopped.
 * Wall-clock fields ("seconds", "images_per_sec") are the only ones that differ between runs.
 */
public final class MetricsLog implements AutoCloseable {
  public static final String FILE = "metrics.jsonl";
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues()
      .disableHtmlEscaping().create();

  private final Path file;
  private final FileChannel channel;

  private MetricsLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens {@code file}, cut back to {@code length} bytes (0 for a new run). */
  public static MetricsLog open(Path file, long length) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      ch.truncate(length);
      ch.position(length);
      return new MetricsLog(file, ch);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  public void write(JsonObject line) {
    try {
      channel.write(ByteBuffer.wrap((GSON.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  public long length() {
    try {
      return channel.position();
    } catch (IOException e) {
      throw TfpeftException.failure("cannot read the length of " + file, e);
    }
  }

  public void flush() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to write
    }
  }

  /** Every line of a metrics file. */
  public static List<JsonObject> read(Path file) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(com.google.gson.JsonParser.parseString(line).getAsJsonObject());
      }
    }
    return out;
  }
}
