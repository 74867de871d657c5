package tfpeft.model.weights;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;

/**
 * The names and shapes of a weight file's tensors, read from its headers alone: the safetensors
 * JSON header, or the .npy header at the start of each .npz entry. Telling a backbone's
 * architecture needs no tensor data, so every command can learn it from a 345 MB checkpoint
 * by reading a few kilobytes.
 */
public final class TensorShapes {
  private final Path source;
  private final Map<String, long[]> shapes;

  private TensorShapes(Path source, Map<String, long[]> shapes) {
    this.source = source;
    this.shapes = Collections.unmodifiableMap(shapes);
  }

  /** The shapes of the tensors a file already read holds. */
  public static TensorShapes of(TensorFile file) {
    Map<String, long[]> s = new LinkedHashMap<>();
    for (NamedTensor t : file.tensors()) {
      s.put(t.name(), t.shape());
    }
    return new TensorShapes(file.source(), s);
  }

  /** The header of a safetensors file. */
  public static TensorShapes ofSafetensors(Path file) {
    Map<String, long[]> s = new LinkedHashMap<>();
    for (SafetensorsHeader.Entry e : SafetensorsReader.readHeader(file).entries()) {
      s.put(e.name(), e.shape());
    }
    return new TensorShapes(file, s);
  }

  /** The .npy headers of an .npz file's arrays (each entry is opened, its data never read). */
  public static TensorShapes ofNpz(Path file) {
    Map<String, long[]> s = new LinkedHashMap<>();
    NpzReader.headers(file).forEach((name, header) -> s.put(name, header.shape()));
    return new TensorShapes(file, s);
  }

  public Path source() {
    return source;
  }

  public boolean contains(String name) {
    return shapes.containsKey(name);
  }

  /** Tensor names in file order. */
  public List<String> names() {
    return List.copyOf(shapes.keySet());
  }

  /**
   * The shape of {@code name}.
   *
   * @throws TfpeftException naming the file, the missing tensor and the closest names present
   */
  public long[] shape(String name) {
    long[] s = shapes.get(name);
    if (s == null) {
      throw TfpeftException.usage(source + ": no tensor named '" + name + "' among the "
          + shapes.size() + " in it" + TensorFile.closestHint(shapes.keySet(), name)
          + "; check that the checkpoint is the one the model expects");
    }
    return s.clone();
  }

  public int size() {
    return shapes.size();
  }
}
