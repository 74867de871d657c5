package tfpeft.model.imports;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import tfpeft.TfpeftException;

/** Typed reads of a Hugging Face config.json (or one of its nested objects), errors naming the key. */
final class ConfigJson {
  private final Path file;
  private final JsonObject root;
  private final String prefix;

  ConfigJson(Path file, JsonObject root) {
    this(file, root, "");
  }

  private ConfigJson(Path file, JsonObject root, String prefix) {
    this.file = file;
    this.root = root;
    this.prefix = prefix;
  }

  Path file() {
    return file;
  }

  /** The nested object {@code key} ({@code alternative} if that is absent), empty if neither. */
  ConfigJson child(String key, String alternative) {
    String k = root.has(key) || !root.has(alternative) ? key : alternative;
    JsonElement e = root.get(k);
    if (e == null || e.isJsonNull()) {
      return new ConfigJson(file, new JsonObject(), prefix + key + ".");
    }
    if (!e.isJsonObject()) {
      throw error(k, "must be an object, got " + e);
    }
    return new ConfigJson(file, e.getAsJsonObject(), prefix + k + ".");
  }

  boolean has(String key) {
    return root.has(key) && !root.get(key).isJsonNull();
  }

  OptionalInt integer(String key) {
    if (!has(key)) {
      return OptionalInt.empty();
    }
    JsonElement e = root.get(key);
    try {
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        return OptionalInt.of(new BigDecimal(e.getAsString()).intValueExact());
      }
    } catch (ArithmeticException | NumberFormatException ignored) {
      // reported below
    }
    throw error(key, "must be an integer, got " + e);
  }

  Optional<Double> number(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonElement e = root.get(key);
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      return Optional.of(e.getAsDouble());
    }
    throw error(key, "must be a number, got " + e);
  }

  Optional<String> string(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonElement e = root.get(key);
    if (e.isJsonPrimitive() && ((JsonPrimitive) e).isString()) {
      return Optional.of(e.getAsString());
    }
    throw error(key, "must be a string, got " + e);
  }

  Optional<Boolean> bool(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonElement e = root.get(key);
    if (e.isJsonPrimitive() && ((JsonPrimitive) e).isBoolean()) {
      return Optional.of(e.getAsBoolean());
    }
    throw error(key, "must be true or false, got " + e);
  }

  /** The first string of the array {@code key}, if any. */
  Optional<String> firstString(String key) {
    if (!has(key) || !root.get(key).isJsonArray() || root.getAsJsonArray(key).isEmpty()) {
      return Optional.empty();
    }
    JsonElement e = root.getAsJsonArray(key).get(0);
    return e.isJsonPrimitive() && ((JsonPrimitive) e).isString()
        ? Optional.of(e.getAsString()) : Optional.empty();
  }

  /** The number of members of the object {@code key}, if it is one. */
  OptionalInt objectSize(String key) {
    return has(key) && root.get(key).isJsonObject()
        ? OptionalInt.of(root.getAsJsonObject(key).size()) : OptionalInt.empty();
  }

  /** The full key path, e.g. "vision_config.hidden_size". */
  String key(String key) {
    return prefix + key;
  }

  TfpeftException error(String key, String what) {
    return TfpeftException.usage(file + ": \"" + prefix + key + "\" " + what);
  }
}
