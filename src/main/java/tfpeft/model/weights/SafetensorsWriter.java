package tfpeft.model.weights;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import tfpeft.util.AtomicFiles;

/**
 * Writes float tensors as a safetensors file, stored as F32, F16 or BF16. Tensors are laid out
 * back to back in the given order with no holes, and the JSON header is padded with spaces so the
 * data buffer starts 8-byte aligned, as the reference implementation does.
 *
 * <p>The file appears atomically: it is written to a hidden temporary sibling, flushed to disk and
 * renamed over the target, so a reader never sees half a checkpoint.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** Writes {@code tensors} as float32 without metadata. */
  public static void write(Path target, Collection<NamedTensor> tensors) {
    write(target, tensors, ElementType.F32, Map.of());
  }

  /**
   * Writes {@code tensors} with every element stored as {@code type} (narrowing rounds to
   * nearest even) and {@code metadata} as the "__metadata__" strings.
   *
   * @throws IllegalArgumentException if {@code type} is not F32, F16 or BF16
   */
  public static void write(Path target, Collection<NamedTensor> tensors, ElementType type,
      Map<String, String> metadata) {
    if (!type.isWritable()) {
      throw new IllegalArgumentException("cannot write safetensors as " + type
          + "; use F32, F16 or BF16");
    }
    byte[] header = header(tensors, type, metadata);
    AtomicFiles.write(target, tmp -> {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(0, header.length);
        writeFully(out, length);
        writeFully(out, ByteBuffer.wrap(header));
        writeData(out, tensors, type);
        out.force(true);
      }
    });
  }

  /** The JSON header, padded with spaces to make 8 + its length a multiple of 8. */
  static byte[] header(Collection<NamedTensor> tensors, ElementType type,
      Map<String, String> metadata) {
    JsonObject root = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      root.add("__metadata__", meta);
    }
    long offset = 0;
    for (NamedTensor t : tensors) {
      if (t.name().equals("__metadata__") || root.has(t.name())) {
        throw new IllegalArgumentException("tensor name '" + t.name() + "' is reserved or used "
            + "twice");
      }
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", type.name());
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      long end = offset + (long) t.size() * type.byteSize();
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(end);
      entry.add("data_offsets", offsets);
      root.add(t.name(), entry);
      offset = end;
    }
    String json = new GsonBuilder().disableHtmlEscaping().create().toJson(root);
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    int padded = (utf8.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(utf8, 0, out, 0, utf8.length);
    for (int i = utf8.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  private static void writeData(FileChannel out, Collection<NamedTensor> tensors,
      ElementType type) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(ChunkReader.CHUNK_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = ChunkReader.CHUNK_BYTES / type.byteSize();
    for (NamedTensor t : tensors) {
      float[] data = t.data();
      for (int done = 0; done < data.length; done += perChunk) {
        int n = Math.min(perChunk, data.length - done);
        buffer.clear();
        type.encode(data, done, n, buffer);
        writeFully(out, buffer.flip());
      }
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }
}
