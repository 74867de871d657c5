package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.protobuf.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.RuntimeConfig;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.EventFile;
import tfpeft.train.log.MetricsLog;

/**
 * A training process killed with SIGKILL mid-epoch, then again while writing a checkpoint, and
 * resumed each time, ends exactly where an uninterrupted run with the same seed ends: every
 * variable (optimizer slots included) bit for bit, and the same metrics and events.
 */
class ResumeAfterKillTest {
  @TempDir Path dir;

  static RunConfig config(Path out) {
    RunConfig.Builder b = TinyRuns.config(out);
    b.getModelBuilder().getVitBuilder().setDepth(2);
    b.getTrainingBuilder().setEpochs(4).setBatchSize(8).setDropPath(0.2f)
        .setCheckpointEveryEpochs(1).setKeepCheckpoints(2).setLogEverySteps(1);
    b.getEvalBuilder().setEveryEpochs(2);
    b.setRuntime(RuntimeConfig.newBuilder().setIntraOpThreads(2).setInterOpThreads(2));
    return b.build();
  }

  @Test
  void killedTwiceAndResumedEndsBitIdentical() throws Exception {
    RunConfig reference = config(dir.resolve("reference"));
    TrainerTest.train(reference, Trainer.Resume.AUTO, new ByteArrayOutputStream());

    RunConfig killed = config(dir.resolve("killed"));
    Path file = dir.resolve("killed.pbtxt");
    Files.writeString(file, TextFormat.printer().printToString(killed));
    Path run = dir.resolve("killed").resolve("tiny");
    Path metrics = run.resolve(MetricsLog.FILE);
    CheckpointStore store = new RunDirectory(run).checkpoints();

    // 1: killed in the middle of epoch 2 (7 steps per epoch; step 10 is its third)
    Process p = start(file, "-Dtfpeft.test.step_delay_ms=60");
    awaitOrFail(p, () -> stepLogged(metrics, 10));
    p.destroyForcibly().waitFor();
    assertEquals(List.of(1), epochs(store));
    assertTrue(lastStep(metrics) > 7, "the process got past the checkpoint of epoch 1");

    // 2: resumed, then killed while the checkpoint of epoch 3 is written (files there, not
    // yet renamed into place)
    p = start(file, "-Dtfpeft.test.checkpoint_pause_ms.epoch-0003=20000");
    awaitOrFail(p, () -> temporary(store.dir(), "epoch-0003"));
    p.destroyForcibly().waitFor();
    assertEquals(List.of(1, 2), epochs(store));
    assertTrue(temporary(store.dir(), "epoch-0003"), "a half-written checkpoint is left behind");

    // 3: resumed to the end
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainerTest.train(killed, Trainer.Resume.AUTO, log);
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("resumed from"), log.toString());
    assertFalse(temporary(store.dir(), "epoch-0003"), "the leftover is cleaned up");

    Path refRun = dir.resolve("reference").resolve("tiny");
    assertSameVariables(new RunDirectory(refRun).checkpoints().latest().get(),
        store.latest().get());
    assertEquals(withoutTimes(MetricsLog.read(refRun.resolve(MetricsLog.FILE))),
        withoutTimes(MetricsLog.read(metrics)));
    assertEquals(scalars(new RunDirectory(refRun).events()), scalars(new RunDirectory(run)
        .events()));
    JsonObject a = RunReport.read(refRun.resolve(RunDirectory.REPORT)).getAsJsonObject("test");
    JsonObject b = RunReport.read(run.resolve(RunDirectory.REPORT)).getAsJsonObject("test");
    assertEquals(a, b);
  }

  static Process start(Path config, String property) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", property, "-cp",
        System.getProperty("java.class.path"), "tfpeft.cli.Main", "train", "--config",
        config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(config.resolveSibling(config.getFileName() + ".log").toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
    return pb.start();
  }

  static void awaitOrFail(Process p, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (!p.isAlive()) {
        fail("the training process ended (exit " + p.exitValue() + ") before the moment to"
            + " kill it");
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        fail("timed out waiting for the moment to kill the training process");
      }
      Thread.sleep(5);
    }
  }

  static boolean stepLogged(Path metrics, long step) {
    return lastStep(metrics) >= step;
  }

  static long lastStep(Path metrics) {
    try {
      if (!Files.exists(metrics)) {
        return 0;
      }
      long last = 0;
      for (String line : Files.readAllLines(metrics)) {
        if (line.startsWith("{\"kind\":\"step\"")) {
          last = com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("step")
              .getAsLong();
        }
      }
      return last;
    } catch (IOException | RuntimeException e) {
      return 0; // a line being written
    }
  }

  static boolean temporary(Path checkpoints, String name) {
    try (var s = Files.list(checkpoints)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("." + name + ".")
          && p.getFileName().toString().endsWith(".tmp"));
    } catch (IOException e) {
      return false;
    }
  }

  static List<Integer> epochs(CheckpointStore store) {
    return store.list().stream().map(CheckpointStore.Checkpoint::epoch).toList();
  }

  static void assertSameVariables(CheckpointStore.Checkpoint a, CheckpointStore.Checkpoint b) {
    assertEquals(a.epoch(), b.epoch());
    Map<String, float[]> x = TrainerTest.checkpointValues(a);
    Map<String, float[]> y = TrainerTest.checkpointValues(b);
    assertEquals(x.keySet(), y.keySet());
    assertTrue(x.keySet().stream().anyMatch(n -> n.startsWith("optimizer/")));
    for (String name : x.keySet()) {
      int[] xb = new int[x.get(name).length];
      int[] yb = new int[y.get(name).length];
      for (int i = 0; i < xb.length; i++) {
        xb[i] = Float.floatToRawIntBits(x.get(name)[i]);
        yb[i] = Float.floatToRawIntBits(y.get(name)[i]);
      }
      assertArrayEquals(xb, yb, name);
    }
  }


  static List<JsonObject> withoutTimes(List<JsonObject> lines) {
    for (JsonObject o : lines) {
      o.remove("seconds");
      o.remove("images_per_sec");
    }
    return lines;
  }

  static List<String> scalars(Path events) throws IOException {
    List<String> out = new ArrayList<>();
    for (byte[] r : EventFile.readRecords(events)) {
      Event e = Event.parseFrom(r);
      if (e.hasSummary()) {
        for (var v : e.getSummary().getValueList()) {
          if (v.getTag().endsWith("images_per_sec")) {
            continue; // wall-clock
          }
          out.add(v.getTag() + "@" + e.getStep() + "=" + v.getSimpleValue());
        }
      }
    }
    return out;
  }
}
