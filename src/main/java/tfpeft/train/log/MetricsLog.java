package tfpeft.train.log;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

  private final AppendLog log;

  private MetricsLog(AppendLog log) {
    this.log = log;
  }

  /** Opens {@code file}, cut back to {@code length} bytes (0 for a new run). */
  public static MetricsLog open(Path file, long length) {
    return new MetricsLog(AppendLog.open(file, length));
  }

  /** One whole line: a line is written with one call, so a reader never sees half of it. */
  public void write(JsonObject line) {
    log.write((GSON.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public long length() {
    return log.length();
  }

  public void flush() {
    log.flush();
  }

  @Override
  public void close() {
    log.close();
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
