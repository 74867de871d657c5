package tfpeft.peft;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * Where a method writes what {@code tfpeft inspect} says of its trained state: indented lines
 * for the terminal and the same facts under keys of the JSON form.
 */
public final class InspectSummary {
  private final List<String> lines;
  private final JsonObject json;

  public InspectSummary(List<String> lines, JsonObject json) {
    this.lines = lines;
    this.json = json;
  }

  public void line(String line) {
    lines.add(line);
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
