package tfpeft.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.model.weights.TensorBundleReader;

/** Checkpoints appear whole or not at all; the last N and the best are kept. */
class CheckpointStoreTest {
  @TempDir Path dir;

  static JsonObject state(int epoch, Double top1) {
    JsonObject s = new JsonObject();
    s.addProperty("epoch", epoch);
    if (top1 != null) {
      JsonObject e = new JsonObject();
      e.addProperty("top1", top1);
      s.add("eval", e);
    }
    return s;
  }

  static CheckpointStore.Variables values(float v) {
    return w -> w.add("backbone/w", new long[] {2}, new float[] {v, -v});
  }

  /** The values of backbone/w in a checkpoint. */
  static float[] w(CheckpointStore.Checkpoint c) {
    return TensorBundleReader.read(c.variables(), n -> true).get("backbone/w").data();
  }

  static List<Integer> epochs(CheckpointStore s) {
    return s.list().stream().map(CheckpointStore.Checkpoint::epoch).toList();
  }

  @Test
  void keepsTheLastNAndTheBest() {
    CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"));
    double[] acc = {0.5, 0.9, 0.7, 0.9, 0.6};
    for (int e = 1; e <= 5; e++) {
      store.write(e, state(e, acc[e - 1]), "config", values(e));
      store.retain(2);
    }
    // last two (4, 5) and the best (epoch 2: 0.9, earlier than the tie at epoch 4)
    assertEquals(List.of(2, 4, 5), epochs(store));
    assertEquals(2, store.best().get().epoch());
    assertEquals(5, store.latest().get().epoch());
  }

  @Test
  void lastAndBestLinkToTheirCheckpoints() throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    store.write(1, state(1, 0.9), "c", values(1));
    store.write(2, state(2, 0.5), "c", values(2));
    store.updateLinks();
    assertEquals(dir.resolve("epoch-0002").toRealPath(), dir.resolve("last").toRealPath());
    assertEquals(dir.resolve("epoch-0001").toRealPath(), dir.resolve("best").toRealPath());
    assertEquals(List.of(1, 2), epochs(store), "links are not checkpoints of their own");
    assertArrayEquals(new float[] {2, -2}, TensorBundleReader.read(
        dir.resolve("last").resolve(CheckpointStore.VARIABLES), n -> true).get("backbone/w")
        .data());
  }

  @Test
  void checkpointsWithoutEvaluationAreNeverTheBest() {
    CheckpointStore store = new CheckpointStore(dir);
    store.write(1, state(1, null), "c", values(1));
    assertTrue(store.best().isEmpty());
    store.write(2, state(2, 0.25), "c", values(2));
    assertEquals(2, store.best().get().epoch());
  }

  @Test
  void aWriteThatFailsMidwayLeavesTheExistingCheckpointsAndNoDebris() throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    store.write(1, state(1, 0.5), "c", values(1));
    TfpeftException e = assertThrows(TfpeftException.class, () -> store.write(2,
        state(2, 0.6), "c", w -> {
          w.add("backbone/w", new long[] {2}, new float[] {2, -2});
          throw new IOException("No space left on device");
        }));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    assertTrue(e.getMessage().contains("epoch-0001, is intact"), e.getMessage());
    assertEquals(List.of(1), epochs(store));
    try (var s = Files.list(dir)) {
      assertEquals(List.of("epoch-0001"), s.map(p -> p.getFileName().toString()).toList());
    }
    assertArrayEquals(new float[] {1, -1}, w(store.latest().get()));
  }

  @Test
  void anUnwritableTemporaryPathFailsWithoutTouchingTheCheckpoints() throws Exception {
    CheckpointStore good = new CheckpointStore(dir);
    good.write(1, state(1, 0.5), "c", values(1));
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    CheckpointStore store = new CheckpointStore(dir, notADirectory.resolve("scratch"));
    assertThrows(TfpeftException.class, () -> store.write(2, state(2, 0.6), "c", values(2)));
    assertEquals(List.of(1), epochs(good));
    assertArrayEquals(new float[] {1, -1}, w(good.latest().get()));
  }

  @Test
  void leftoversOfAnInterruptedWriteAreIgnoredAndCleanedUp() throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    store.write(1, state(1, 0.5), "c", values(1));
    Path half = Files.createDirectories(dir.resolve(".epoch-0002.abc.tmp"));
    Files.writeString(half.resolve("variables.index"), "partial");
    Path incomplete = Files.createDirectories(dir.resolve("epoch-0003"));
    assertEquals(List.of(1), epochs(store));
    store.cleanUp();
    assertTrue(Files.notExists(half));
    assertTrue(Files.exists(incomplete), "only hidden leftovers are removed");
  }

  @Test
  void rewritingAnEpochReplacesIt() throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    store.write(1, state(1, 0.5), "c", values(1));
    store.write(1, state(1, 0.5), "c", values(7));
    assertArrayEquals(new float[] {7, -7}, w(store.latest().get()));
  }
}
