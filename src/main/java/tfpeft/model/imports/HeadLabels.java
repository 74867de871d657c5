package tfpeft.model.imports;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.weights.WeightFiles;

/**
 * The class names of a classification head that come with the weights: a Hugging Face
 * config.json's {@code id2label}, or the {@code class_names.txt} of a tfpeft backbone directory
 * (where import writes them), one name per line in class order. Hugging Face fills id2label
 * with "LABEL_0", "LABEL_1"... when a model has no names; those are no names.
 */
final class HeadLabels {
  static final String FILE = "class_names.txt";

  private HeadLabels() {}

  /** The names of the head's {@code classes} classes, or an empty list where none come. */
  static List<String> of(Backbones.Source source, int classes) {
    if (classes <= 0 || source.described() == null) {
      return List.of();
    }
    if (source.format() == WeightsFormat.TFPEFT) {
      return fromFile(source.described().resolveSibling(FILE), classes);
    }
    if (source.format() == WeightsFormat.SAFETENSORS) {
      return fromConfig(source.described(), classes);
    }
    return List.of();
  }

  private static List<String> fromConfig(Path configFile, int classes) {
    JsonObject root = WeightFiles.readJsonConfig(configFile);
    JsonElement e = root.get("id2label");
    if (e == null || !e.isJsonObject()) {
      return List.of();
    }
    JsonObject map = e.getAsJsonObject();
    List<String> names = new ArrayList<>();
    boolean generic = true;
    for (int i = 0; i < classes; i++) {
      JsonElement v = map.get(Integer.toString(i));
      if (v == null || !v.isJsonPrimitive()) {
        throw TfpeftException.usage(configFile + ": \"id2label\" has no name for class " + i
            + " of the head's " + classes + "; fix id2label, or remove it to import unnamed"
            + " classes");
      }
      String name = v.getAsString().strip();
      names.add(name);
      generic &= name.equals("LABEL_" + i);
    }
    if (map.size() != classes) {
      throw TfpeftException.usage(configFile + ": \"id2label\" names " + map.size()
          + " classes but the head has " + classes);
    }
    return generic ? List.of() : List.copyOf(names);
  }

  private static List<String> fromFile(Path file, int classes) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<String> names;
    try {
      // a name a line: a file far beyond 1 KB a class is not a list of class names
      if (Files.size(file) > 1024L * Math.max(classes, 1024)) {
        throw TfpeftException.usage(file + ": " + Files.size(file) + " bytes for " + classes
            + " class names; the file is not a list of names, one per line");
      }
      names = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
          .filter(l -> !l.isEmpty()).toList();
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read the class names (" + e.getMessage()
          + ")");
    }
    if (names.size() != classes) {
      throw TfpeftException.usage(file + ": " + names.size() + " class names for a head of "
          + classes + " classes; one name per line, in class order");
    }
    return names;
  }
}
