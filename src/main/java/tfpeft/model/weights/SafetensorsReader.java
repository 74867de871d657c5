package tfpeft.model.weights;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import tfpeft.TfpeftException;

/**
 * Reads safetensors files (Hugging Face's format; see {@link SafetensorsHeader} for the layout)
 * into float32 tensors. Tensor bytes are little-endian by the format's definition.
 *
 * <p>Tensors are read in the order of their offsets, so the file is read front to back, through
 * one reusable buffer: memory holds the float arrays and a few MB more, never a second copy of
 * the checkpoint.
 */
public final class SafetensorsReader {
  private SafetensorsReader() {}

  /** All tensors of {@code file}. */
  public static TensorFile read(Path file) {
    return read(file, name -> true);
  }

  /**
   * The tensors of {@code file} whose names {@code include} accepts, in header order. The whole
   * header is still checked; a tensor of an unsupported dtype fails only if it is included.
   */
  public static TensorFile read(Path file, Predicate<String> include) {
    try (FileChannel channel = open(file)) {
      SafetensorsHeader header = SafetensorsHeader.read(file, channel);
      List<SafetensorsHeader.Entry> wanted = new ArrayList<>();
      long largest = 0;
      for (SafetensorsHeader.Entry e : header.entries()) {
        if (include.test(e.name())) {
          checkReadable(file, e);
          wanted.add(e);
          largest = Math.max(largest, e.end() - e.begin());
        }
      }
      wanted.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin));
      ChunkReader chunks = ChunkReader.forChannel(largest);
      Map<String, NamedTensor> loaded = new HashMap<>();
      for (SafetensorsHeader.Entry e : wanted) {
        loaded.put(e.name(), readTensor(file, channel, header, chunks, e));
      }
      List<NamedTensor> inHeaderOrder = new ArrayList<>();
      for (SafetensorsHeader.Entry e : header.entries()) {
        if (loaded.containsKey(e.name())) {
          inHeaderOrder.add(loaded.get(e.name()));
        }
      }
      return new TensorFile(file, inHeaderOrder, header.metadata());
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
  }

  /** The header alone: names, dtypes, shapes and offsets, without reading any tensor data. */
  public static SafetensorsHeader readHeader(Path file) {
    try (FileChannel channel = open(file)) {
      return SafetensorsHeader.read(file, channel);
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
  }

  /** The "__metadata__" strings of {@code file} (empty if it has none). */
  public static Map<String, String> readMetadata(Path file) {
    return readHeader(file).metadata();
  }

  private static void checkReadable(Path file, SafetensorsHeader.Entry e) {
    if (e.type() == null) {
      throw TfpeftException.usage(file + ": tensor '" + e.name() + "' has dtype " + e.dtype()
          + ", which is not supported (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, "
          + "BOOL); convert the checkpoint to float32 or float16 first");
    }
    if (e.elementCount() > Integer.MAX_VALUE - 8) {
      throw TfpeftException.usage(file + ": tensor '" + e.name() + "' has " + e.elementCount()
          + " elements, more than a Java array holds; it cannot be loaded");
    }
  }

  private static NamedTensor readTensor(Path file, FileChannel channel, SafetensorsHeader header,
      ChunkReader chunks, SafetensorsHeader.Entry e) throws IOException {
    try {
      float[] data = chunks.read(channel, header.dataStart() + e.begin(), e.type(),
          ByteOrder.LITTLE_ENDIAN, (int) e.elementCount());
      return new NamedTensor(e.name(), e.shape(), data);
    } catch (ChunkReader.ShortReadException s) {
      // the size was checked when the header was read: the file shrank while being read
      throw TfpeftException.usage(file + ": tensor '" + e.name() + "': the file ended after "
          + s.got + " of its " + s.wanted + " bytes; it changed while being read or is "
          + "truncated");
    }
  }

  static FileChannel open(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.READ);
  }
}
