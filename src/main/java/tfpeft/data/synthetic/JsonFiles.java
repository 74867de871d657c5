package tfpeft.data.synthetic;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** UTF-8 text and JSON files with a trailing newline, the way every written file ends. */
final class JsonFiles {
  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

  private JsonFiles() {}

  static void writePretty(Path file, JsonElement json) throws IOException {
    writeText(file, PRETTY.toJson(json) + "\n");
  }

  /** One line; for the large split files, where indentation would only multiply the size. */
  static void writeCompact(Path file, JsonElement json) throws IOException {
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
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
  }

  static JsonElement strings(List<String> values) {
    return PRETTY.toJsonTree(values);
  }
}
