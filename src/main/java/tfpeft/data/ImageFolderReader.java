package tfpeft.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tfpeft.TfpeftException;

/**
 * An image folder: {@code <dir>/<class>/<image>}, one subfolder per class. Labels follow the
 * sorted folder names (as torchvision's ImageFolder does); images are sorted by path within a
 * class and may sit in nested folders.
 */
public final class ImageFolderReader {
  private ImageFolderReader() {}

  /** The class folder names of {@code dir}, sorted. */
  public static List<String> classNames(Path dir) {
    requireDirectory(dir);
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
      if (names.isEmpty()) {
        throw TfpeftException.usage(dir + ": no class folders; an image folder holds one "
            + "subfolder per class, e.g. " + dir.resolve("cat/001.jpg"));
      }
      return names;
    } catch (IOException e) {
      throw TfpeftException.usage(dir + ": cannot list directory: " + e.getMessage());
    }
  }

  /**
   * Reads {@code dir} with the given class names (those of the training folder, so that every
   * split shares one labelling). A class folder missing here is fine; an unknown one is an error.
   */
  public static Split read(String splitName, Path dir, List<String> classes, BadExamples bad) {
    List<String> here = classNames(dir);
    for (String name : here) {
      if (!classes.contains(name)) {
        throw TfpeftException.usage(dir.resolve(name) + ": class folder '" + name
            + "' is not a class of the training folder (" + String.join(", ", classes) + ")");
      }
    }
    List<Example> examples = new ArrayList<>();
    for (String name : here) {
      Path classDir = dir.resolve(name);
      List<Path> files;
      try (Stream<Path> s = Files.walk(classDir)) {
        files = s.filter(Files::isRegularFile)
            .filter(p -> FileImages.isImageName(p.getFileName().toString()))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw TfpeftException.usage(classDir + ": cannot list directory: " + e.getMessage());
      }
      if (files.isEmpty()) {
        bad.report(classDir.toString(), "class folder has no images (.jpg, .jpeg, .png, ...)");
        continue;
      }
      int label = classes.indexOf(name);
      for (Path f : files) {
        String problem = FileImages.problem(f);
        if (problem != null) {
          bad.report(f.toString(), problem);
          continue;
        }
        examples.add(FileImages.example(f, f.toString(), label));
      }
    }
    if (examples.isEmpty()) {
      throw TfpeftException.usage(dir + ": no images found under the class folders");
    }
    return new Split(splitName, examples);
  }

  private static void requireDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw TfpeftException.usage(dir + ": " + (Files.exists(dir) ? "not a directory"
          : "directory not found"));
    }
  }
}
