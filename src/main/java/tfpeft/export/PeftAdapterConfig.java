package tfpeft.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tfpeft.TfpeftException;

/**
 * adapter_config.json of a Hugging Face PEFT LoRA adapter (peft's LoraConfig as JSON), the part
 * tfpeft's LoRA can represent exactly: rank r, lora_alpha with PEFT's scaling lora_alpha / r
 * (tfpeft's method.lora.scale), lora_dropout, target_modules, modules_to_save, and the base
 * model. Reading refuses every setting that changes the function the tensors compute in a way
 * tfpeft's LoRA does not (DoRA, rsLoRA's alpha / sqrt(r), fan_in_fan_out, per-module ranks,
 * trained biases), naming the key and what to do.
 *
 * @param targetModules a list of names, or (as PEFT also allows) one regular expression in a
 *     one-element list with {@code targetRegex} true
 */
public record PeftAdapterConfig(String baseModel, int r, double loraAlpha, double loraDropout,
    List<String> targetModules, boolean targetRegex, List<String> modulesToSave,
    String modelClass, String library) {
  public static final String FILE = "adapter_config.json";
  public static final String TENSORS = "adapter_model.safetensors";
  /** An adapter config is a few hundred bytes; anything near this is not one. */
  static final int MAX_BYTES = 1 << 20;

  /** PEFT's scaling of the low-rank path, lora_alpha / r: tfpeft's method.lora.scale. */
  public float scale() {
    return (float) (loraAlpha / r);
  }

  /**
   * lora_alpha for tfpeft's {@code scale} at rank {@code r}: scale * r in double, exact (a
   * float times a small integer fits a double's 53 bits), so PEFT's lora_alpha / r gives back
   * the float scale exactly.
   */
  public static double alphaOf(float scale, int r) {
    return (double) scale * r;
  }

  /** Whether {@code dir} holds a PEFT adapter (its adapter_config.json). */
  public static boolean isPeftAdapter(Path dir) {
    return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(FILE));
  }

  public JsonObject json() {
    JsonObject o = new JsonObject();
    JsonObject auto = new JsonObject();
    auto.addProperty("base_model_class", modelClass);
    auto.addProperty("parent_library", library);
    o.add("auto_mapping", auto);
    o.addProperty("base_model_name_or_path", baseModel);
    o.addProperty("bias", "none");
    o.addProperty("fan_in_fan_out", false);
    o.addProperty("inference_mode", true);
    o.addProperty("init_lora_weights", true);
    o.add("layers_pattern", JsonNull.INSTANCE);
    o.add("layers_to_transform", JsonNull.INSTANCE);
    o.add("lora_alpha", number(loraAlpha));
    o.addProperty("lora_bias", false);
    o.add("lora_dropout", number(loraDropout));
    o.add("modules_to_save", modulesToSave.isEmpty() ? JsonNull.INSTANCE : strings(modulesToSave));
    o.addProperty("peft_type", "LORA");
    o.addProperty("r", r);
    o.add("rank_pattern", new JsonObject());
    o.add("alpha_pattern", new JsonObject());
    o.add("revision", JsonNull.INSTANCE);
    o.add("target_modules", targetRegex ? new com.google.gson.JsonPrimitive(targetModules.get(0))
        : strings(targetModules));
    // image classification and CLIP have no PEFT task type: PeftModel wraps the model as is
    o.add("task_type", JsonNull.INSTANCE);
    o.addProperty("use_dora", false);
    o.addProperty("use_rslora", false);
    return o;
  }

  public String text() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create()
        .toJson(json()) + "\n";
  }

  /** A double as JSON: 8 rather than 8.0 where it is whole, as PEFT's own files have it. */
  private static JsonElement number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return new com.google.gson.JsonPrimitive((long) v);
    }
    return new com.google.gson.JsonPrimitive(v);
  }

  private static JsonArray strings(List<String> s) {
    JsonArray a = new JsonArray();
    s.forEach(a::add);
    return a;
  }

  /**
   * Reads {@code dir}/adapter_config.json; every setting tfpeft cannot represent is a usage
   * error naming the file and key.
   */
  public static PeftAdapterConfig read(Path dir) {
    Path file = dir.resolve(FILE);
    JsonObject o;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw TfpeftException.usage(file + ": larger than " + (MAX_BYTES >> 20) + " MiB; an"
            + " adapter_config.json is a few hundred bytes: not a PEFT adapter config");
      }
      JsonElement e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new JsonParseException("not a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (IOException | JsonParseException e) {
      throw TfpeftException.usage(file + ": not readable as JSON (" + e.getMessage() + ")", e);
    }
    String type = string(o, "peft_type", file);
    if (!"LORA".equals(type)) {
      throw TfpeftException.usage(file + ": peft_type is " + type + "; tfpeft reads LoRA"
          + " adapters (peft_type LORA) only: " + type + " has no tfpeft counterpart");
    }
    refuseTrue(o, file, "use_dora", "DoRA rescales each weight by a learned magnitude vector"
        + " (lora_magnitude_vector), which tfpeft's LoRA has no place for; export it merged"
        + " into the base weights with PEFT instead");
    refuseTrue(o, file, "fan_in_fan_out", "its weights are stored [in, out] (GPT-2's Conv1D);"
        + " tfpeft reads torch Linear's [out, in] layout of ViT and CLIP");
    refuseTrue(o, file, "lora_bias", "the adapter trains a bias on lora_B, which tfpeft's"
        + " LoRA does not have");
    refuseTrue(o, file, "use_qalora", "QALoRA pools the input per group before lora_A, which"
        + " tfpeft's LoRA does not");
    int r = integer(o, "r", file);
    double alpha = number(o, "lora_alpha", file);
    if (o.has("use_rslora") && o.get("use_rslora").isJsonPrimitive()
        && o.get("use_rslora").getAsBoolean()) {
      throw TfpeftException.usage(String.format(Locale.ROOT, "%s: use_rslora is true (rank-"
          + "stabilized scaling lora_alpha / sqrt(r)); tfpeft reads PEFT's lora_alpha / r:"
          + " set use_rslora to false and lora_alpha to lora_alpha * sqrt(r) = %s, which"
          + " computes the same", file, number(alpha * Math.sqrt(r))));
    }
    String bias = o.has("bias") && !o.get("bias").isJsonNull() ? o.get("bias").getAsString()
        : "none";
    if (!bias.equals("none")) {
      throw TfpeftException.usage(file + ": bias is \"" + bias + "\": the adapter trains the"
          + " base model's biases too, which tfpeft's LoRA keeps frozen; only bias \"none\""
          + " adapters are read");
    }
    for (String key : List.of("rank_pattern", "alpha_pattern")) {
      if (o.has(key) && o.get(key).isJsonObject() && o.getAsJsonObject(key).size() > 0) {
        throw TfpeftException.usage(file + ": " + key + " gives some modules their own "
            + (key.startsWith("rank") ? "rank" : "alpha") + "; tfpeft's LoRA has one rank and"
            + " one scale for every site, so this adapter is not read");
      }
    }
    for (String key : List.of("layer_replication", "trainable_token_indices",
        "target_parameters", "layers_to_transform", "layers_pattern", "exclude_modules")) {
      JsonElement v = o.get(key);
      boolean set = v != null && !v.isJsonNull()
          && !(v.isJsonArray() && v.getAsJsonArray().isEmpty());
      if (set) {
        throw TfpeftException.usage(file + ": " + key + " is set (" + v + "); tfpeft reads"
            + " adapters whose tensors alone say where they attach: remove " + key + " if it"
            + " selects no other modules than the tensors name");
      }
    }
    List<String> targets = new ArrayList<>();
    boolean regex = false;
    JsonElement t = o.get("target_modules");
    if (t != null && t.isJsonArray()) {
      t.getAsJsonArray().forEach(x -> targets.add(x.getAsString()));
    } else if (t != null && t.isJsonPrimitive()) {
      targets.add(t.getAsString());
      regex = true;
    }
    List<String> save = new ArrayList<>();
    JsonElement s = o.get("modules_to_save");
    if (s != null && s.isJsonArray()) {
      s.getAsJsonArray().forEach(x -> save.add(x.getAsString()));
    }
    double dropout = o.has("lora_dropout") && !o.get("lora_dropout").isJsonNull()
        ? number(o, "lora_dropout", file) : 0;
    String base = o.has("base_model_name_or_path") && !o.get("base_model_name_or_path")
        .isJsonNull() ? o.get("base_model_name_or_path").getAsString() : "";
    String cls = "";
    String lib = "";
    if (o.has("auto_mapping") && o.get("auto_mapping").isJsonObject()) {
      JsonObject a = o.getAsJsonObject("auto_mapping");
      cls = a.has("base_model_class") ? a.get("base_model_class").getAsString() : "";
      lib = a.has("parent_library") ? a.get("parent_library").getAsString() : "";
    }
    return new PeftAdapterConfig(base, r, alpha, dropout, targets, regex, save, cls, lib);
  }

  private static void refuseTrue(JsonObject o, Path file, String key, String why) {
    JsonElement v = o.get(key);
    if (v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() && v.getAsBoolean()) {
      throw TfpeftException.usage(file + ": " + key + " is true: " + why);
    }
  }

  private static String string(JsonObject o, String key, Path file) {
    JsonElement v = o.get(key);
    if (v == null || !v.isJsonPrimitive()) {
      throw TfpeftException.usage(file + ": no " + key + "; not a PEFT adapter config");
    }
    return v.getAsString();
  }

  private static double number(JsonObject o, String key, Path file) {
    JsonElement v = o.get(key);
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw TfpeftException.usage(file + ": " + key + " must be a number, got "
          + (v == null ? "nothing" : v.toString()));
    }
    double d = v.getAsDouble();
    if (!Double.isFinite(d)) {
      throw TfpeftException.usage(file + ": " + key + " is " + d);
    }
    return d;
  }

  private static int integer(JsonObject o, String key, Path file) {
    double d = number(o, key, file);
    if (d != Math.rint(d) || d < 1 || d > 1 << 20) {
      throw TfpeftException.usage(file + ": " + key + " is " + v(o, key) + "; the rank is a"
          + " whole number from 1");
    }
    return (int) d;
  }

  private static String v(JsonObject o, String key) {
    return o.get(key).toString();
  }
}
