package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.Defaults;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.Schedule;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.MetricsLog;

class TrainerTest {
  @TempDir Path out;

  static JsonObject train(RunConfig c, Trainer.Resume resume, ByteArrayOutputStream log) {
    return train(c, resume, log, MethodRegistry.builtIn());
  }

  static JsonObject train(RunConfig c, Trainer.Resume resume, ByteArrayOutputStream log,
      MethodRegistry registry) {
    return new Trainer(c, "tiny.pbtxt", new Trainer.Options(resume,
        new PrintStream(log, true, StandardCharsets.UTF_8), false), registry).run();
  }

  /** One step: 56 training images in one batch, a constant rate. */
  static RunConfig.Builder oneStep(Path out) {
    RunConfig.Builder b = TinyRuns.config(out);
    b.getTrainingBuilder().setEpochs(1).setBatchSize(64).setWarmupEpochs(0)
        .setSchedule(Schedule.CONSTANT).setLearningRate(1e-2f);
    return b;
  }

  /** Every model variable as the run starts (initialization), by name. */
  static Map<String, float[]> initialValues(RunConfig c) {
    RunConfig r = Defaults.fill(c);
    RunData data = RunData.load(r, null, m -> {});
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      TrainGraph graph = TrainGraph.build(g, r, MethodRegistry.builtIn().create(r.getMethod()),
          data.dataset().classNames(), data.templateCount());
      try (Session s = new Session(g)) {
        s.initialize();
        for (ModelVariable v : graph.modelVariables()) {
          out.put(v.name(), VariableValues.read(s, v));
        }
      }
    }
    return out;
  }

  static Map<String, float[]> checkpointValues(CheckpointStore.Checkpoint c) {
    return TinyRuns.values(c);
  }


  static CheckpointStore store(Path out) {
    return new RunDirectory(out.resolve("tiny")).checkpoints();
  }

  @Test
  void adapterDropoutActsWhileTraining() throws Exception {
    // B starts at zero, so after one step it holds the first gradient, which sees dropout
    java.util.function.Function<Float, float[]> loraB = rate -> {
      Path dir = out.resolve("dropout-" + rate);
      RunConfig c = oneStep(dir).setMethod(tfpeft.config.proto.MethodConfig.newBuilder()
          .setLora(tfpeft.config.proto.LoraConfig.newBuilder().setRank(2).setDropout(rate)))
          .build();
      train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
      return checkpointValues(store(dir).latest().get()).get("peft/lora/block0/attn/q/lora_b");
    };
    float[] plain = loraB.apply(0f);
    float[] dropped = loraB.apply(0.5f);
    assertTrue(plain != null && plain.length > 0);
    assertFalse(java.util.Arrays.equals(plain, dropped),
        "LoRA dropout 0.5 changed nothing: the trainer does not feed the training flag");
  }

  @Test
  void aRunWritesConfigCheckpointsMetricsEventsAndReport() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject report = train(TinyRuns.config(out).build(), Trainer.Resume.AUTO, log);
    Path run = out.resolve("tiny");
    RunDirectory dir = new RunDirectory(run);
    assertTrue(Files.readString(dir.config()).contains("task: \"shape\""));
    assertEquals(List.of(1, 2), store(out).list().stream()
        .map(CheckpointStore.Checkpoint::epoch).toList());
    List<JsonObject> metrics = MetricsLog.read(dir.metrics());
    assertEquals(List.of("step", "step", "epoch", "eval", "step", "step", "epoch", "eval",
        "test"), metrics.stream().map(m -> m.get("kind").getAsString()).toList());
    assertTrue(dir.events() != null && Files.size(dir.events()) > 100);
    assertEquals(28, report.getAsJsonObject("test").get("images").getAsInt());
    assertEquals(7, report.getAsJsonObject("test").getAsJsonArray("confusion").size());
    assertEquals(3447, report.getAsJsonObject("parameters").get("trainable").getAsLong());
    assertTrue(report.has("best"));
    assertEquals(report, RunReport.read(dir.report()));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("epoch 2/2  loss"), text);
    assertTrue(text.contains("eval test: top-1"), text);
  }

  @Test
  void withoutValidationTheReportAlsoGivesTheBestPeriodicTestAccuracyLabelledAsSuch()
      throws Exception {
    RunConfig.Builder b = TinyRuns.config(out);
    b.getTrainingBuilder().setEpochs(3);
    JsonObject report = train(b.build(), Trainer.Resume.AUTO, new ByteArrayOutputStream());
    double best = -1;
    int bestEpoch = -1;
    for (JsonObject m : MetricsLog.read(new RunDirectory(out.resolve("tiny")).metrics())) {
      if (m.get("kind").getAsString().equals("eval")) {
        assertEquals("test", m.get("split").getAsString());
        if (m.get("top1").getAsDouble() > best) {
          best = m.get("top1").getAsDouble();
          bestEpoch = m.get("epoch").getAsInt();
        }
      }
    }
    JsonObject periodic = report.getAsJsonObject("best_periodic_test");
    assertEquals(best, periodic.get("top1").getAsDouble(), 1e-9);
    assertEquals(bestEpoch, periodic.get("epoch").getAsInt());
    assertTrue(periodic.get("note").getAsString().contains("PETL-ViT"));
  }

  @Test
  void aNanLossStopsTheRunNamingEpochAndStepAndKeepsTheLastGoodCheckpoint() throws Exception {
    RunConfig.Builder b = TinyRuns.config(out);
    // epoch 1 at 1e-6, then a rate no weight survives
    b.getTrainingBuilder().setBatchSize(8).setWarmupEpochs(1).setLearningRate(1e30f)
        .setWarmupStartLr(1e-6f);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> train(b.build(), Trainer.Resume.AUTO, new ByteArrayOutputStream()));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().matches("the loss is (NaN|-?Infinity) at epoch 2, step \\d+ .*"),
        e.getMessage());
    assertTrue(e.getMessage().contains("the last good checkpoint is "
        + out.resolve("tiny/checkpoints/epoch-0001")), e.getMessage());
    assertEquals(1, store(out).latest().get().epoch());
    for (float[] v : checkpointValues(store(out).latest().get()).values()) {
      for (float x : v) {
        assertTrue(Float.isFinite(x));
      }
    }
    assertFalse(Files.exists(out.resolve("tiny").resolve(RunDirectory.REPORT)));
  }

  @Test
  void anUnwritableOutputDirectoryFailsBeforeAnythingElse() throws Exception {
    Path file = Files.writeString(out.resolve("a-file"), "x");
    RunConfig.Builder b = TinyRuns.config(file.resolve("runs"));
    b.getDataBuilder().getSyntheticBuilder().setDir(out.resolve("no-suite").toString());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> train(b.build(), Trainer.Resume.AUTO, new ByteArrayOutputStream()));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("output directory " + file.resolve("runs/tiny")
        + " is not writable"), e.getMessage());
    assertFalse(Files.exists(out.resolve("no-suite")), "no data was read or generated");
  }

  @Test
  void aFinishedRunIsLeftAsItIs() throws Exception {
    RunConfig c = oneStep(out).build();
    JsonObject first = train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertEquals(first, train(c, Trainer.Resume.AUTO, log));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("is complete"));
  }

  @Test
  void aDifferentConfigInTheSameDirectoryIsRefusedUnlessOverwritten() {
    train(oneStep(out).build(), Trainer.Resume.AUTO, new ByteArrayOutputStream());
    RunConfig.Builder other = oneStep(out);
    other.getTrainingBuilder().setLearningRate(2e-2f);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> train(other.build(), Trainer.Resume.AUTO, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("holds checkpoints of a run with a different"),
        e.getMessage());
    train(other.build(), Trainer.Resume.OVERWRITE, new ByteArrayOutputStream());
    assertEquals(1, store(out).list().size());
  }

  @Test
  void resumeNeedsACheckpoint() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> train(oneStep(out).build(),
        Trainer.Resume.REQUIRE, new ByteArrayOutputStream()));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("holds no complete checkpoint"), e.getMessage());
  }
}
