package tfpeft.peft;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a method writes what {@code tfpeft inspect} says of its trained state: indented lines
 * for the terminal and the same facts under keys of the JSON form. The stored size comes last,
 * after the head, so its lines are kept apart.
 */
public final class InspectSummary {
  private final List<String> lines;
  private final List<String> storageLines = new ArrayList<>();
  private final JsonObject json;

  public InspectSummary(List<String> lines, JsonObject json) {
    this.lines = lines;
    this.json = json;
  }

  public void line(String line) {
    lines.add(line);
  }

  /** A line of the stored size, printed after the head. */
  public void storageLine(String line) {
    storageLines.add(line);
  }

  public List<String> storageLines() {
    return storageLines;
  }

  public void put(String key, JsonElement value) {
    json.add(key, value);
  }

  public JsonObject json() {
    return json;
  }

  public static JsonArray shape(long[] s) {
    JsonArray a = new JsonArray();
    for (long d : s) {
      a.add(d);
    }
    return a;
  }
}
