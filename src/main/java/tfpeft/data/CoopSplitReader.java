package tfpeft.data;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;

/**
 * CoOp split files ({@code split_zhou_<Name>.json}):
 * {@code {"train": [[relpath, label, classname], ...], "val": [...], "test": [...]}}, image paths
 * relative to the dataset's image directory. Read as a stream so that every error can name the
 * line it is on.
 */
public final class CoopSplitReader {
  private static final Pattern LINE = Pattern.compile("at line (\\d+)");

  private CoopSplitReader() {}

  /** The three splits and class names of a split file. */
  public record Result(Split train, Split val, Split test, List<String> classNames) {}

  private record Entry(String origin, String path, int label, String className) {}

  public static Result read(Path splitFile, Path imageDir, BadExamples bad) {
    return read(splitFile, imageDir, bad, false);
  }

  /**
   * As {@link #read(Path, Path, BadExamples)}; an image path that leaves {@code imageDir} is a
   * bad example unless {@code allowOutside} (data.coop.allow_paths_outside_root).
   */
  public static Result read(Path splitFile, Path imageDir, BadExamples bad,
      boolean allowOutside) {
    Map<String, List<Entry>> splits = new LinkedHashMap<>();
    try (Reader r = Files.newBufferedReader(splitFile, StandardCharsets.UTF_8);
        JsonReader json = new JsonReader(r)) {
      json.beginObject();
      while (json.hasNext()) {
        String key = json.nextName();
        if (!key.equals("train") && !key.equals("val") && !key.equals("test")) {
          json.skipValue();
          continue;
        }
        splits.put(key, readEntries(json, splitFile, key, bad));
      }
      json.endObject();
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(splitFile + ": split file not found");
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw TfpeftException.usage(splitFile + ":" + lineOf(e.getMessage()) + ": JSON does not "
          + "parse (" + e.getMessage() + "); expected {\"train\": [[relpath, label, classname], "
          + "...], \"val\": [...], \"test\": [...]}");
    }
    for (String required : List.of("train", "test")) {
      if (!splits.containsKey(required) || splits.get(required).isEmpty()) {
        throw TfpeftException.usage(splitFile + ": no \"" + required + "\" entries");
      }
    }
    List<String> classNames = classNames(splitFile, splits);
    return new Result(
        toSplit("train", splits.get("train"), imageDir, classNames.size(), bad, allowOutside),
        toSplit("val", splits.getOrDefault("val", List.of()), imageDir, classNames.size(), bad,
            allowOutside),
        toSplit("test", splits.get("test"), imageDir, classNames.size(), bad, allowOutside),
        classNames);
  }

  private static List<Entry> readEntries(
      JsonReader json, Path file, String split, BadExamples bad) throws IOException {
    List<Entry> entries = new ArrayList<>();
    java.util.Map<String, Integer> firstIndex = new java.util.HashMap<>();
    json.beginArray();
    for (int i = 0; json.hasNext(); i++) {
      String origin = file + ":" + lineOf(json.toString()) + " (" + split + "[" + i + "])";
      if (json.peek() != JsonToken.BEGIN_ARRAY) {
        json.skipValue();
        bad.report(origin, "expected [relpath, label, classname]");
        continue;
      }
      json.beginArray();
      List<Object> items = new ArrayList<>();
      while (json.hasNext()) {
        JsonToken t = json.peek();
        items.add(t == JsonToken.STRING ? json.nextString()
            : t == JsonToken.NUMBER ? (Object) Double.valueOf(json.nextDouble()) : skip(json));
      }
      json.endArray();
      if (items.size() != 3 || !(items.get(0) instanceof String path)
          || !(items.get(1) instanceof Double label) || !(items.get(2) instanceof String name)) {
        bad.report(origin, "expected [relpath, label, classname], got " + items.size()
            + " item(s) of the wrong kind");
        continue;
      }
      if (label != Math.rint(label) || label < 0 || label > Integer.MAX_VALUE) {
        bad.report(origin, "label " + label + " is not a non-negative integer");
        continue;
      }
      if (name.isBlank()) {
        // the class name is what CLIP's prompts are made of: an empty one is not a class
        bad.report(origin, "label " + label.intValue() + " has an empty class name; give"
            + " [relpath, label, classname] with the class's name");
        continue;
      }
      Integer seen = firstIndex.putIfAbsent(path, i);
      if (seen != null) {
        bad.warn(origin + ": " + path + " is listed again (first as " + split + "[" + seen
            + "]); it counts twice");
      }
      entries.add(new Entry(origin + " " + path, path, label.intValue(), name));
    }
    json.endArray();
    return entries;
  }

  private static Object skip(JsonReader json) throws IOException {
    json.skipValue();
    return null;
  }

  private static List<String> classNames(Path file, Map<String, List<Entry>> splits) {
    TreeMap<Integer, String> names = new TreeMap<>();
    for (List<Entry> entries : splits.values()) {
      for (Entry e : entries) {
        String prev = names.putIfAbsent(e.label(), e.className());
        if (prev != null && !prev.equals(e.className())) {
          throw TfpeftException.usage(e.origin() + ": label " + e.label() + " is named '"
              + e.className() + "' here but '" + prev + "' elsewhere in the file");
        }
      }
    }
    List<String> ordered = new ArrayList<>();
    for (int i = 0; i <= names.lastKey(); i++) {
      if (!names.containsKey(i)) {
        throw TfpeftException.usage(file + ": no entry has label " + i + " (labels run 0.."
            + names.lastKey() + "); labels must be consecutive from 0");
      }
      ordered.add(names.get(i));
    }
    return ordered;
  }

  private static Split toSplit(String name, List<Entry> entries, Path imageDir, int numClasses,
      BadExamples bad, boolean allowOutside) {
    List<Example> examples = new ArrayList<>();
    for (Entry e : entries) {
      String outside = DataRoot.problem(imageDir, e.path(), allowOutside,
          "data.coop.allow_paths_outside_root");
      if (outside != null) {
        bad.report(e.origin(), outside);
        continue;
      }
      Path p = imageDir.resolve(e.path());
      String problem = FileImages.problem(p);
      if (problem != null) {
        bad.report(e.origin(), problem);
        continue;
      }
      examples.add(FileImages.example(p, e.origin(), e.label()));
    }
    return new Split(name, examples);
  }

  private static String lineOf(String message) {
    Matcher m = LINE.matcher(message == null ? "" : message);
    return m.find() ? m.group(1) : "1";
  }
}
