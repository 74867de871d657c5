package tfpeft.model.imports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import tfpeft.TfpeftException;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.model.weights.TensorShapes;

/**
 * The tensors of one weight file as a mapping table sees them: the user's ignored tensors are
 * hidden, and every tensor a mapping reads is marked used, so that what is left over can be
 * reported. Telling the architecture needs the shapes alone; mapping tensors needs their data.
 */
final class SourceTensors {
  private final TensorShapes file;
  private final TensorFile data;
  private final IgnoreList ignore;
  private final Predicate<String> harmless;
  private final Set<String> used = new LinkedHashSet<>();

  /** The tensors of a file read whole. */
  SourceTensors(TensorFile file, IgnoreList ignore, Predicate<String> harmless) {
    this(TensorShapes.of(file), file, ignore, harmless);
  }

  /** The shapes of a file whose data was not read: enough to tell its architecture. */
  SourceTensors(TensorShapes shapes, IgnoreList ignore, Predicate<String> harmless) {
    this(shapes, null, ignore, harmless);
  }

  private SourceTensors(TensorShapes file, TensorFile data, IgnoreList ignore,
      Predicate<String> harmless) {
    this.file = file;
    this.data = data;
    this.ignore = ignore;
    this.harmless = harmless;
  }

  Path path() {
    return file.source();
  }

  /** Whether the file has {@code name} and the user did not ignore it. */
  boolean has(String name) {
    return file.contains(name) && !ignore.matches(name);
  }

  boolean ignored(String name) {
    return file.contains(name) && ignore.matches(name);
  }

  /** Names the user did not ignore, in file order. */
  List<String> names() {
    List<String> out = new ArrayList<>();
    for (String n : file.names()) {
      if (!ignore.matches(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Every name in the file, ignored ones included. */
  List<String> allNames() {
    return file.names();
  }

  /**
   * The shape of tensor {@code name}, which the architecture cannot be told without.
   *
   * @throws TfpeftException if it is missing (with the nearest names) or ignored
   */
  long[] shape(String name, String why) {
    if (ignored(name)) {
      throw TfpeftException.usage(file.source() + ": tensor '" + name + "' is needed " + why
          + ", but weights.ignore excludes it; remove the pattern that matches it");
    }
    return file.shape(name);
  }

  /** The tensor's data, marking it used. */
  NamedTensor use(String name) {
    if (data == null) {
      throw new IllegalStateException("only the shapes of " + file.source() + " were read");
    }
    used.add(name);
    return data.get(name);
  }

  /** Tensors neither used, ignored, nor known to be harmless, in file order. */
  List<String> unused() {
    List<String> out = new ArrayList<>();
    for (String n : file.names()) {
      if (!used.contains(n) && !ignore.matches(n) && !harmless.test(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Tensors the table drops as known-harmless (buffers and the like), in file order. */
  List<String> dropped() {
    List<String> out = new ArrayList<>();
    for (String n : file.names()) {
      if (!used.contains(n) && !ignore.matches(n) && harmless.test(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Tensors the user's patterns hide, in file order. */
  List<String> ignoredNames() {
    List<String> out = new ArrayList<>();
    for (String n : file.names()) {
      if (ignore.matches(n)) {
        out.add(n);
      }
    }
    return out;
  }

  int size() {
    return file.size();
  }

  /** A user error about tensor {@code name} of this file. */
  TfpeftException error(String name, String what) {
    return TfpeftException.usage(file.source() + ": tensor '" + name + "' " + what);
  }
}
