package tfpeft.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;

/**
 * The synthetic suite's pretraining set: {@code pretrain/index.tsv} (a header, then
 * image, one column per attribute with -1 where it does not apply, caption) and
 * {@code pretrain/attributes.json} (attribute -> class names). Each example's label is its row, so
 * a batch's example indices give its attribute labels and captions.
 */
public final class PretrainIndex {
  private final List<String> attributes;
  private final Map<String, List<String>> classNames;
  private final int[][] labels;
  private final List<String> captions;
  private final Split split;

  private PretrainIndex(List<String> attributes, Map<String, List<String>> classNames,
      int[][] labels, List<String> captions, Split split) {
    this.attributes = attributes;
    this.classNames = classNames;
    this.labels = labels;
    this.captions = captions;
    this.split = split;
  }

  /** Reads {@code <suite>/pretrain}. */
  public static PretrainIndex read(Path suite) {
    Path dir = suite.resolve("pretrain");
    Path index = dir.resolve("index.tsv");
    Map<String, List<String>> names = readAttributes(dir.resolve("attributes.json"));
    List<String> lines;
    try {
      lines = Files.readAllLines(index, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(index + ": not found; generate the suite with 'tfpeft data "
          + "generate --out " + suite + "' (with --pretrain N > 0)");
    } catch (IOException e) {
      throw TfpeftException.usage(index + ": cannot read: " + e.getMessage());
    }
    if (lines.size() < 2) {
      throw TfpeftException.usage(index + ": no pretraining images");
    }
    String[] header = lines.get(0).split("\t", -1);
    int cols = header.length;
    List<String> attrs = new ArrayList<>();
    for (int c = 1; c < cols - 1; c++) {
      if (!names.containsKey(header[c])) {
        throw TfpeftException.usage(index + ":1: column '" + header[c] + "' is not an attribute"
            + " of attributes.json");
      }
      attrs.add(header[c]);
    }
    int[][] labels = new int[lines.size() - 1][];
    List<String> captions = new ArrayList<>();
    List<Example> examples = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split("\t", -1);
      String origin = index + ":" + (i + 1);
      if (f.length != cols) {
        throw TfpeftException.usage(origin + ": expected " + cols + " tab-separated fields, got "
            + f.length);
      }
      int[] row = new int[attrs.size()];
      for (int a = 0; a < attrs.size(); a++) {
        try {
          row[a] = Integer.parseInt(f[a + 1]);
        } catch (NumberFormatException e) {
          throw TfpeftException.usage(origin + ": " + attrs.get(a) + " label '" + f[a + 1]
              + "' is not an integer");
        }
        if (row[a] < -1 || row[a] >= names.get(attrs.get(a)).size()) {
          throw TfpeftException.usage(origin + ": " + attrs.get(a) + " label " + row[a]
              + " is out of range");
        }
      }
      labels[i - 1] = row;
      captions.add(f[cols - 1]);
      examples.add(FileImages.example(dir.resolve(f[0]), origin + " (" + f[0] + ")", i - 1));
    }
    return new PretrainIndex(attrs, names, labels, captions, new Split("pretrain", examples));
  }

  private static Map<String, List<String>> readAttributes(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
          .getAsJsonObject();
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.entrySet()) {
        JsonArray a = e.getValue().getAsJsonArray();
        List<String> values = new ArrayList<>();
        a.forEach(v -> values.add(v.getAsString()));
        out.put(e.getKey(), values);
      }
      return out;
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(file + ": not found");
    } catch (IOException | RuntimeException e) {
      throw TfpeftException.usage(file + ": cannot read attribute names: " + e.getMessage());
    }
  }

  public List<String> attributes() {
    return attributes;
  }

  public List<String> classNames(String attribute) {
    return classNames.get(attribute);
  }

  /** Label of attribute {@code a} for example {@code i}; -1 where it does not apply. */
  public int label(int i, int a) {
    return labels[i][a];
  }

  public String caption(int i) {
    return captions.get(i);
  }

  public List<String> captions() {
    return captions;
  }

  /** The images; an example's label is its row. */
  public Split split() {
    return split;
  }
}
