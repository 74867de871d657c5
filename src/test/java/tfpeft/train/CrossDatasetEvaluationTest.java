package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.peft.MethodRegistry;

/**
 * A CLIP run evaluated on another dataset ({@code tfpeft eval --data}): the target's classes
 * scored with what the run learned; trained state tied to the run's classes is refused.
 */
class CrossDatasetEvaluationTest {
  @TempDir Path out;

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true,
      StandardCharsets.UTF_8);

  /** The colour task of the synthetic suite, read from a fragment as eval --data reads it. */
  private DataConfig colourTask() throws Exception {
    Path file = out.resolve("colour.pbtxt");
    Files.writeString(file, "data {\n  synthetic { dir: \"" + TinyRuns.colorSuite()
        + "\" task: \"color\" image_size: " + TinyRuns.IMAGE + " }\n}\n");
    return ConfigLoader.loadData(file);
  }

  /** A CoOp run on the shape task whose images are normalized as CLIP's (not the default). */
  private RunConfig coopOnShapes() {
    RunConfig.Builder b = ClipTrainingTest.clip(out, MethodConfig.newBuilder().setCoop(
        CoopConfig.newBuilder().setNCtx(2)).build());
    b.getDataBuilder().getEvalTransformBuilder().setNormalization(Normalization.CLIP);
    return b.build();
  }

  @Test
  void aCoopRunScoresTheTargetAsTheRunWithTheTargetsDataWould() throws Exception {
    RunConfig c = coopOnShapes();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    RunEvaluation.Result onTarget = RunEvaluation.evaluate(c, "tiny.pbtxt", "last", "test",
        colourTask(), MethodRegistry.builtIn(), QUIET);
    // the same checkpoint, the run's config with only its images and classes changed
    RunConfig.Builder moved = c.toBuilder();
    moved.getDataBuilder().getSyntheticBuilder().setDir(TinyRuns.colorSuite().toString())
        .setTask("color");
    RunEvaluation.Result reference = RunEvaluation.evaluate(moved.build(), "tiny.pbtxt",
        "last", "test", MethodRegistry.builtIn(), QUIET);
    assertEquals(reference.checkpoint().dir(), onTarget.checkpoint().dir());
    assertEquals(reference.metrics().top1(), onTarget.metrics().top1());
    assertEquals(reference.metrics().toJson(reference.classNames()).toString(),
        onTarget.metrics().toJson(onTarget.classNames()).toString());
  }

  @Test
  void aCoopRunIsScoredOnTheTargetsClasses() throws Exception {
    RunConfig c = coopOnShapes();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    DataConfig target = colourTask();
    RunEvaluation.Result r = RunEvaluation.evaluate(c, "tiny.pbtxt", "last", "test", target,
        MethodRegistry.builtIn(), QUIET);
    Dataset colour = DataSources.load(target, c.getSeed(), new BadExamples(false, m -> {}));
    assertTrue(r.checkpoint() != null);
    assertEquals(colour.classNames(), r.classNames());
    assertEquals(colour.test().size(), r.metrics().toJson(r.classNames()).get("images")
        .getAsInt());
    assertEquals("color", r.json().get("data").getAsString());
  }

  /**
   * KgCoOp's hand-crafted class features follow from the classes: nothing sized by the run's
   * classes may sit in its checkpoint, or the target's classes could not be scored.
   */
  @Test
  void aKgcoopRunIsScoredOnTheTargetsClasses() throws Exception {
    RunConfig.Builder b = ClipTrainingTest.clip(out.resolve("kg"), MethodConfig.newBuilder()
        .setKgcoop(tfpeft.config.proto.KgCoopConfig.newBuilder().setPrompt(
            CoopConfig.newBuilder().setNCtx(2))).build());
    b.getDataBuilder().getEvalTransformBuilder().setNormalization(Normalization.CLIP);
    RunConfig c = b.build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    DataConfig target = colourTask();
    RunEvaluation.Result r = RunEvaluation.evaluate(c, "tiny.pbtxt", "last", "test", target,
        MethodRegistry.builtIn(), QUIET);
    Dataset colour = DataSources.load(target, c.getSeed(), new BadExamples(false, m -> {}));
    assertEquals(colour.classNames(), r.classNames());
  }

  @Test
  void aLinearProbeIsRefusedOnAnotherDataset() throws Exception {
    RunConfig c = ClipTrainingTest.clip(out, MethodConfig.newBuilder().setLinearProbe(
        LinearProbeConfig.getDefaultInstance()).build()).build();
    DataConfig target = colourTask();
    TfpeftException e = assertThrows(TfpeftException.class, () -> RunEvaluation.evaluate(c,
        "tiny.pbtxt", "last", "test", target, MethodRegistry.builtIn(), QUIET));
    assertTrue(e.getMessage().contains("linear head trained on the run's own classes"),
        e.getMessage());
  }

  @Test
  void aContextPerClassIsRefusedAsBaseToNewRefusesIt() throws Exception {
    RunConfig c = ClipTrainingTest.clip(out, MethodConfig.newBuilder().setCoop(
        CoopConfig.newBuilder().setNCtx(2).setCsc(true)).build()).build();
    DataConfig target = colourTask();
    TfpeftException e = assertThrows(TfpeftException.class, () -> RunEvaluation.evaluate(c,
        "tiny.pbtxt", "last", "test", target, MethodRegistry.builtIn(), QUIET));
    assertTrue(e.getMessage().contains("method.coop keeps state tied to the run's own classes"),
        e.getMessage());
    assertTrue(e.getMessage().contains("method.coop.csc"), e.getMessage());
  }

  @Test
  void aMissingDataFileIsNamed() {
    Path missing = out.resolve("no-such-data.pbtxt");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.loadData(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void aFileWithoutADataBlockIsNamed() throws Exception {
    Path file = out.resolve("model-only.pbtxt");
    Files.writeString(file, "seed: 2\n");
    TfpeftException e = assertThrows(TfpeftException.class, () -> ConfigLoader.loadData(file));
    assertTrue(e.getMessage().contains(file + ": no data { ... } block"), e.getMessage());
  }
}
