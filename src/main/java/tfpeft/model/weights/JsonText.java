package tfpeft.model.weights;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses JSON with Gson and turns its errors into "line L, column C: reason" for messages. Gson's
 * own strict-mode message suggests a Java API call, which means nothing to someone holding a
 * broken file, so that part is replaced.
 */
final class JsonText {
  private static final Pattern LOCATION = Pattern.compile(" at line (\\d+) column (\\d+)");
  private static final Gson GSON = new Gson();

  private JsonText() {}

  /** A JSON syntax error: "line L, column C: reason", with the position kept (0 if unknown). */
  static final class SyntaxError extends Exception {
    final int line;
    final int column;

    SyntaxError(String message, int line, int column, Throwable cause) {
      super(message, cause);
      this.line = line;
      this.column = column;
    }

    /** Up to 24 characters of {@code text} ending at the error, for a one-line header. */
    String excerpt(String text) {
      String[] lines = text.split("\n", -1);
      if (line < 1 || line > lines.length || column < 1) {
        return "";
      }
      String l = lines[line - 1];
      int end = Math.min(l.length(), column);
      return l.substring(Math.max(0, end - 24), end);
    }
  }

  /**
   * Parses one JSON value that must fill the whole text.
   *
   * @param lenient accept what Python's json module writes beyond the standard (NaN, Infinity)
   *     and Gson's other leniencies; strict parsing rejects anything outside RFC 8259
   */
  static JsonElement parse(Reader text, boolean lenient) throws SyntaxError {
    try {
      JsonReader reader = new JsonReader(text);
      reader.setLenient(lenient);
      // the adapter reads with the reader's own strictness (JsonParser would force lenient mode)
      JsonElement value = GSON.getAdapter(JsonElement.class).read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw syntaxError(reader.toString(), "unexpected text after the JSON value", null);
      }
      return value;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n');
      throw syntaxError(newline >= 0 ? message.substring(0, newline) : message, null, e);
    }
  }

  /**
   * Splits Gson's "reason at line L column C path P" into its parts; {@code reason} overrides
   * the text's own.
   */
  private static SyntaxError syntaxError(String gsonText, String reason, Exception cause) {
    Matcher m = LOCATION.matcher(gsonText);
    int line = 0;
    int column = 0;
    String text = reason != null ? reason : gsonText;
    if (m.find()) {
      line = Integer.parseInt(m.group(1));
      column = Integer.parseInt(m.group(2));
      text = reason != null ? reason : gsonText.substring(0, m.start());
    }
    if (text.startsWith("Use JsonReader.setLenient(true)")) {
      text = "malformed JSON";
    }
    if (text.isBlank()) {
      text = cause == null ? "malformed JSON" : cause.getClass().getSimpleName();
    }
    String location = line > 0 ? "line " + line + ", column " + column + ": " : "";
    return new SyntaxError(location + text, line, column, cause);
  }
}
