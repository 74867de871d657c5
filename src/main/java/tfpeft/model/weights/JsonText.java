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

  /** A JSON syntax error with where it happened. */
  static final class SyntaxError extends Exception {
    SyntaxError(String message, Throwable cause) {
      super(message, cause);
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
        throw new SyntaxError(where(reader.toString()) + "unexpected text after the JSON value",
            null);
      }
      return value;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new SyntaxError(describe(e), e);
    }
  }

  /** "line 3, column 7: Unterminated object" from a Gson exception. */
  static String describe(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    Matcher m = LOCATION.matcher(message);
    String location = "";
    String reason = message;
    if (m.find()) {
      location = "line " + m.group(1) + ", column " + m.group(2) + ": ";
      reason = message.substring(0, m.start());
    }
    if (reason.startsWith("Use JsonReader.setLenient(true)")) {
      reason = "malformed JSON";
    }
    if (reason.isBlank()) {
      reason = e.getClass().getSimpleName();
    }
    return location + reason;
  }

  private static String where(String readerDescription) {
    Matcher m = LOCATION.matcher(readerDescription);
    return m.find() ? "line " + m.group(1) + ", column " + m.group(2) + ": " : "";
  }
}
