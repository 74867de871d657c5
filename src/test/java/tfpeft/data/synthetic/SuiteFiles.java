package tfpeft.data.synthetic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Small suites for tests and helpers to read them back. */
final class SuiteFiles {
  private SuiteFiles() {}

  /** A few images per split at 32 pixels: fast, yet every class appears in every split. */
  static SyntheticOptions.Builder small() {
    return SyntheticOptions.builder().seed(5).imageSize(32).pretrainCount(40)
        .trainPerTask(18).valPerTask(9).testPerTask(10).threads(2);
  }

  /** Every file under {@code root} by relative path, with its bytes. */
  static Map<String, byte[]> contents(Path root) {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
