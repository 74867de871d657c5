package tfpeft.model.weights;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import tfpeft.util.AtomicFiles;

/**
 * Writes float32 arrays as .npy files that {@code numpy.load} reads: format version 1.0, dtype
 * '&lt;f4', C order, header padded so the data starts 64-byte aligned (see {@link NpyHeader}).
 * Files appear atomically (temporary sibling, then rename).
 */
public final class NpyWriter {
  private NpyWriter() {}

  /** Writes {@code tensor}'s shape and data; its name is not stored (.npy has no names). */
  public static void write(Path target, NamedTensor tensor) {
    write(target, tensor.shape(), tensor.data());
  }

  /**
   * Writes {@code data} as an array of {@code shape}.
   *
   * @throws IllegalArgumentException if the data length differs from the shape's element count
   */
  public static void write(Path target, long[] shape, float[] data) {
    if (NamedTensor.elementCount(shape) != data.length) {
      throw new IllegalArgumentException("shape " + NamedTensor.formatShape(shape) + " does not "
          + "match " + data.length + " values");
    }
    AtomicFiles.write(target, tmp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        writeTo(out, shape, data);
      }
    });
  }

  /** Writes the header and data of one array to {@code out}; used for .npz entries too. */
  static void writeTo(OutputStream out, long[] shape, float[] data) throws IOException {
    out.write(NpyHeader.float32Header(shape));
    int perChunk = Math.max(1, Math.min(data.length, ChunkReader.CHUNK_BYTES / 4));
    ByteBuffer chunk = ByteBuffer.allocate(perChunk * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < data.length; done += perChunk) {
      int n = Math.min(perChunk, data.length - done);
      chunk.clear();
      ElementType.F32.encode(data, done, n, chunk);
      out.write(chunk.array(), 0, n * 4);
    }
  }

  /** The number of bytes {@link #writeTo} produces. */
  static long encodedSize(long[] shape, int elements) {
    return NpyHeader.float32Header(shape).length + 4L * elements;
  }
}
