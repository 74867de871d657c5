package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a ViT-B-sized (about 200 MB) float32 safetensors file and compares the time with copying
 * the same bytes into memory without any conversion, which is the floor set by the disk or the
 * page cache. Slow and disk-hungry, so it runs only with -Dtfpeft.heavy=true; it prints its
 * measurements.
 */
@EnabledIfSystemProperty(named = "tfpeft.heavy", matches = "true")
class ReadSpeedTest {
  @TempDir Path dir;

  /** Twelve blocks' worth of ViT-B/16-shaped matrices, about 200 MB as float32. */
  private static List<NamedTensor> vitShapedTensors() {
    List<NamedTensor> tensors = new ArrayList<>();
    for (int block = 0; block < 7; block++) {
      String p = "encoder.layer." + block + ".";
      tensors.add(filled(p + "attention.qkv.weight", 2304, 768));
      tensors.add(filled(p + "attention.output.weight", 768, 768));
      tensors.add(filled(p + "intermediate.weight", 3072, 768));
      tensors.add(filled(p + "output.weight", 768, 3072));
      tensors.add(filled(p + "output.bias", 768));
    }
    return tensors;
  }

  private static NamedTensor filled(String name, long... shape) {
    float[] data = new float[(int) NamedTensor.elementCount(shape)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (i % 1013) * 0.001f - 0.5f;
    }
    return new NamedTensor(name, shape, data);
  }

  @Test
  void float32ReadsAtCopySpeed() throws IOException {
    Path file = dir.resolve("vit.safetensors");
    List<NamedTensor> tensors = vitShapedTensors();
    SafetensorsWriter.write(file, tensors);
    long bytes = java.nio.file.Files.size(file);
    for (int round = 0; round < 3; round++) {
      long copyNanos = timeRawCopy(file);
      long t0 = System.nanoTime();
      TensorFile read = SafetensorsReader.read(file);
      long readNanos = System.nanoTime() - t0;
      assertEquals(tensors.get(3), read.get(tensors.get(3).name()));
      System.out.printf("safetensors F32 %.0f MB: read %.0f ms (%.0f MB/s); raw copy %.0f ms "
          + "(%.0f MB/s)%n", bytes / 1e6, readNanos / 1e6, bytes / (readNanos / 1e3),
          copyNanos / 1e6, bytes / (copyNanos / 1e3));
    }
    SafetensorsWriter.write(file, tensors, ElementType.F16, Map.of());
    long f16Bytes = java.nio.file.Files.size(file);
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      SafetensorsReader.read(file);
      long readNanos = System.nanoTime() - t0;
      System.out.printf("safetensors F16 %.0f MB: read %.0f ms (%.0f M elements/s)%n",
          f16Bytes / 1e6, readNanos / 1e6, f16Bytes / 2 / (readNanos / 1e3));
    }
  }

  @Test
  void npzReadsStoredAndDeflated() {
    List<NamedTensor> tensors = vitShapedTensors();
    for (boolean compress : new boolean[] {false, true}) {
      Path file = dir.resolve("vit" + compress + ".npz");
      NpzWriter.write(file, tensors, compress);
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        TensorFile read = NpzReader.read(file);
        long readNanos = System.nanoTime() - t0;
        assertEquals(tensors.get(3), read.get(tensors.get(3).name()));
        long floats = read.elementCount();
        System.out.printf("npz %s, %.0f MB of float32: read %.0f ms (%.0f MB/s)%n",
            compress ? "deflated" : "stored", floats * 4 / 1e6, readNanos / 1e6,
            floats * 4 / (readNanos / 1e3));
      }
    }
  }

  /** Reads every byte into a float array's worth of heap without converting anything. */
  private static long timeRawCopy(Path file) throws IOException {
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer chunk = ByteBuffer.allocateDirect(ChunkReader.CHUNK_BYTES);
      byte[] sink = new byte[ChunkReader.CHUNK_BYTES];
      long checksum = 0;
      while (ch.read(chunk.clear()) > 0) {
        chunk.flip().get(sink, 0, chunk.remaining());
        checksum += sink[0];
      }
      if (checksum == 42) {
        System.out.print("");
      }
    }
    return System.nanoTime() - t0;
  }
}
