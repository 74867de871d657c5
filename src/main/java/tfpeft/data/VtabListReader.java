package tfpeft.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tfpeft.TfpeftException;

/**
 * VTAB-1k list files: {@code <root>/<task>/<list>.txt}, each line {@code relative/path label},
 * paths relative to the task directory. A path may contain spaces: the label is the last field.
 */
public final class VtabListReader {
  private VtabListReader() {}

  /** One parsed line before labels are range-checked. */
  public record Entry(String origin, Path path, int label) {}

  /** Reads the entries of one list file; a line that does not parse is a bad example. */
  public static List<Entry> readList(Path taskDir, String listName, BadExamples bad) {
    return readList(taskDir, listName, bad, false);
  }

  /**
   * As {@link #readList(Path, String, BadExamples)}; an entry whose path leaves {@code taskDir}
   * is a bad example unless {@code allowOutside} (data.vtab.allow_paths_outside_root).
   */
  public static List<Entry> readList(Path taskDir, String listName, BadExamples bad,
      boolean allowOutside) {
    Path list = taskDir.resolve(listName);
    List<String> lines;
    try {
      lines = Files.readAllLines(list, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(list + ": list file not found");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw TfpeftException.usage(list + ": not a UTF-8 text file (a binary file, or another"
          + " encoding); a list holds one 'relative/path label' per line");
    } catch (IOException e) {
      throw TfpeftException.usage(list + ": cannot read list file: " + e.getMessage());
    }
    List<Entry> entries = new ArrayList<>();
    java.util.Map<Path, Integer> firstLine = new java.util.HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String origin = list + ":" + (i + 1);
      if (line.isEmpty()) {
        continue;
      }
      int space = lastWhitespace(line);
      if (space < 0) {
        bad.report(origin, "expected 'relative/path label', got '" + line + "'");
        continue;
      }
      String rel = line.substring(0, space).strip();
      String labelText = line.substring(space + 1);
      int label;
      try {
        label = Integer.parseInt(labelText);
      } catch (NumberFormatException e) {
        bad.report(origin, "label '" + labelText + "' is not an integer");
        continue;
      }
      if (label < 0) {
        bad.report(origin, "label " + label + " is negative");
        continue;
      }
      String outside = DataRoot.problem(taskDir, rel, allowOutside,
          "data.vtab.allow_paths_outside_root");
      if (outside != null) {
        bad.report(origin, outside);
        continue;
      }
      Integer seen = firstLine.putIfAbsent(taskDir.resolve(rel).normalize(), i + 1);
      if (seen != null) {
        // kept, as the list says; but a copy-paste slip weighs the image twice
        bad.warn(origin + ": " + rel + " is listed again (first on line " + seen + "); it"
            + " counts twice");
      }
      entries.add(new Entry(origin + " (" + rel + ")", taskDir.resolve(rel), label));
    }
    if (entries.isEmpty()) {
      throw TfpeftException.usage(list + ": list file has no entries");
    }
    return entries;
  }

  /** Turns entries into a split, checking labels against numClasses and files for existence. */
  public static Split toSplit(String name, List<Entry> entries, int numClasses, BadExamples bad) {
    List<Example> examples = new ArrayList<>();
    for (Entry e : entries) {
      if (e.label() >= numClasses) {
        bad.report(e.origin(), "label " + e.label() + " is out of range: the task has "
            + numClasses + " classes (0.." + (numClasses - 1) + ")");
        continue;
      }
      String problem = FileImages.problem(e.path());
      if (problem != null) {
        bad.report(e.origin(), problem);
        continue;
      }
      examples.add(FileImages.example(e.path(), e.origin(), e.label()));
    }
    return new Split(name, examples);
  }

  /** Class names from classnames.txt (one per line) if the task has one, else null. */
  public static List<String> classNamesFile(Path taskDir) {
    Path file = taskDir.resolve("classnames.txt");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      List<String> names = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (names.isEmpty()) {
        throw TfpeftException.usage(file + ": no class names");
      }
      return names;
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read: " + e.getMessage());
    }
  }

  private static int lastWhitespace(String s) {
    for (int i = s.length() - 1; i >= 0; i--) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
