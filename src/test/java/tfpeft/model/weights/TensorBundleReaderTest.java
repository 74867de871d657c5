package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.TfpeftException;

/** Checkpoints written by TensorFlow's own saver, read back without a session. */
class TensorBundleReaderTest {
  @TempDir static Path dir;
  static Path prefix;

  @BeforeAll
  static void save() {
    prefix = dir.resolve("ckpt");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      tf.withSubScope("backbone").withName("w").variable(tf.constant(new float[][] {{1, 2, 3}, {4, 5, -6.5f}}));
      tf.withSubScope("head").withName("b").variable(tf.constant(new float[] {0.25f}));
      tf.withName("step").variable(tf.constant(42L));
      tf.withName("empty").variable(tf.zeros(tf.constant(new long[] {0, 4}), TFloat32.class));
      try (Session s = new Session(g)) {
        s.initialize();
        s.save(prefix.toString());
      }
    }
  }

  @Test
  void theIndexListsEveryVariableWithDtypeAndShape() {
    TensorBundleReader.Index index = TensorBundleReader.readIndex(prefix);
    assertEquals(1, index.header().getNumShards());
    List<String> names = index.entries().stream().map(TensorBundleReader.Entry::name).toList();
    assertEquals(List.of("backbone/w", "empty", "head/b", "step"), names);
    TensorBundleReader.Entry w = index.entries().get(0);
    assertEquals(DataType.DT_FLOAT, w.dtype());
    assertArrayEquals(new long[] {2, 3}, w.shape());
    assertEquals(24, w.size());
    assertEquals(DataType.DT_INT64, index.entries().get(3).dtype());
  }

  @Test
  void valuesComeBackExactly() {
    TensorFile f = TensorBundleReader.read(prefix.resolveSibling("ckpt.index"), n -> true);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, f.get("backbone/w").data());
    assertArrayEquals(new float[] {0.25f}, f.get("head/b").data());
    assertArrayEquals(new float[] {42}, f.get("step").data());
    assertEquals(0, f.get("empty").size());
  }

  @Test
  void aFlippedDataByteFailsTheTensorChecksum() throws Exception {
    Path copy = copyCheckpoint("flipped");
    Path data = Path.of(copy + ".data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    b[2] ^= 1;
    Files.write(data, b);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> TensorBundleReader.read(copy, n -> true));
    assertTrue(e.getMessage().contains("fails its CRC32C check"), e.getMessage());
  }

  @Test
  void aTruncatedIndexOrDataShardIsReported() throws Exception {
    Path copy = copyCheckpoint("cut");
    Path index = Path.of(copy + ".index");
    byte[] b = Files.readAllBytes(index);
    Files.write(index, java.util.Arrays.copyOf(b, b.length - 10));
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> TensorBundleReader.readIndex(copy));
    assertTrue(e.getMessage().contains("cut.index"), e.getMessage());
    Path copy2 = copyCheckpoint("short");
    Path data = Path.of(copy2 + ".data-00000-of-00001");
    Files.write(data, java.util.Arrays.copyOf(Files.readAllBytes(data), 8));
    e = assertThrows(TfpeftException.class, () -> TensorBundleReader.read(copy2, n -> true));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aForeignFileIsNotTakenForAnIndex() throws Exception {
    Path fake = dir.resolve("fake");
    Files.write(Path.of(fake + ".index"), new byte[100]);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> TensorBundleReader.readIndex(fake));
    assertTrue(e.getMessage().contains("no table magic"), e.getMessage());
    assertThrows(TfpeftException.class, () -> TensorBundleReader.readIndex(dir.resolve("none")));
  }

  @Test
  void prefixesAreFoundFromAnyOfTheFiles() {
    assertEquals(Path.of("a/b"), TensorBundleReader.prefix(Path.of("a/b.index")));
    assertEquals(Path.of("a/b"), TensorBundleReader.prefix(Path.of("a/b.data-00000-of-00001")));
    assertEquals(Path.of("a/b"), TensorBundleReader.prefix(Path.of("a/b")));
    assertTrue(TensorBundleReader.isCheckpoint(prefix));
  }

  private static Path copyCheckpoint(String name) throws Exception {
    Path copy = dir.resolve(name);
    Files.copy(Path.of(prefix + ".index"), Path.of(copy + ".index"));
    Files.copy(Path.of(prefix + ".data-00000-of-00001"), Path.of(copy + ".data-00000-of-00001"));
    return copy;
  }
}
