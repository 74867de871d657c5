package tfpeft.peft;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a method adds to the record of an epoch: fields of the epoch's line in
 * {@code metrics.jsonl} and TensorBoard scalars, logged at the epoch's last step.
 */
public final class EpochMetrics {
  private final JsonObject fields = new JsonObject();
  private final Map<String, Double> scalars = new LinkedHashMap<>();

  /**
   * Adds {@code name} to the epoch's line (a name added twice, or one the trainer writes itself,
   * such as "loss", is a bug and fails).
   */
  public void field(String name, JsonElement value) {
    if (fields.has(name)) {
      throw new IllegalArgumentException("epoch field " + name + " is added twice");
    }
    fields.add(name, value);
  }

  public void field(String name, Number value) {
    field(name, new JsonPrimitive(value));
  }

  /** Adds a TensorBoard scalar with tag {@code tag} ("sparsity/total"). */
  public void scalar(String tag, double value) {
    if (scalars.putIfAbsent(tag, value) != null) {
      throw new IllegalArgumentException("epoch scalar " + tag + " is added twice");
    }
  }

  public JsonObject fields() {
    return fields;
  }

  public Map<String, Double> scalars() {
    return Collections.unmodifiableMap(scalars);
  }
}
