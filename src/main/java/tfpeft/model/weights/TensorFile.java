package tfpeft.model.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;

/**
 * The tensors read from one weight file, by name, in the file's order. It remembers the file so
 * that a missing tensor is reported against the checkpoint the user named, together with the
 * nearest names it does have (a mapping table and a checkpoint that disagree usually differ by a
 * prefix or one path component).
 */
public final class TensorFile {
  private final Path source;
  private final Map<String, NamedTensor> tensors;
  private final Map<String, String> metadata;

  /**
   * @param metadata free-form string pairs stored with the tensors (safetensors "__metadata__");
   *     empty for formats without any
   * @throws TfpeftException if two tensors share a name
   */
  public TensorFile(Path source, Collection<NamedTensor> tensors, Map<String, String> metadata) {
    this.source = source;
    Map<String, NamedTensor> byName = new LinkedHashMap<>();
    for (NamedTensor t : tensors) {
      if (byName.putIfAbsent(t.name(), t) != null) {
        throw TfpeftException.usage(source + ": two tensors are named '" + t.name()
            + "'; the file is malformed, export it again");
      }
    }
    this.tensors = Collections.unmodifiableMap(byName);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public TensorFile(Path source, Collection<NamedTensor> tensors) {
    this(source, tensors, Map.of());
  }

  /** The file the tensors came from, for messages. */
  public Path source() {
    return source;
  }

  /**
   * The tensor called {@code name}.
   *
   * @throws TfpeftException naming the file, the missing tensor and the closest names present
   */
  public NamedTensor get(String name) {
    NamedTensor t = tensors.get(name);
    if (t == null) {
      throw TfpeftException.usage(source + ": no tensor named '" + name + "' among the "
          + tensors.size() + " read from it" + closestHint(tensors.keySet(), name)
          + "; check that the checkpoint is the one the model expects");
    }
    return t;
  }

  public Optional<NamedTensor> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** Tensor names in file order. */
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  /** Tensors in file order. */
  public Collection<NamedTensor> tensors() {
    return tensors.values();
  }

  public int size() {
    return tensors.size();
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Total number of float elements, e.g. for a parameter count. */
  public long elementCount() {
    long n = 0;
    for (NamedTensor t : tensors.values()) {
      n += t.size();
    }
    return n;
  }

  /** " (closest: 'a', 'b', 'c')": the three names nearest to {@code name}, or "". */
  static String closestHint(Collection<String> present, String name) {
    if (present.isEmpty()) {
      return "";
    }
    List<String> names = new ArrayList<>(present);
    Map<String, Integer> distance = new LinkedHashMap<>();
    for (String candidate : names) {
      distance.put(candidate, editDistance(name, candidate));
    }
    names.sort(Comparator.comparingInt(distance::get));
    List<String> nearest = names.subList(0, Math.min(3, names.size()));
    return " (closest: '" + String.join("', '", nearest) + "')";
  }

  /** Levenshtein distance; names are short and files hold a few hundred tensors. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return prev[b.length()];
  }

  @Override
  public String toString() {
    return source + " (" + tensors.size() + " tensors)";
  }
}
