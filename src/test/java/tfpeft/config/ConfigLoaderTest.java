package tfpeft.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.Optimizer;
import tfpeft.config.proto.RunConfig;

class ConfigLoaderTest {
  static final String MINIMAL = String.join("\n",
      "# a minimal run",
      "model {",
      "  vit { image_size: 32 patch_size: 4 width: 64 depth: 2 heads: 4 }",
      "}",
      "data {",
      "  synthetic { task: \"shape\" }",
      "}",
      "method { lora { rank: 4 } }",
      "");

  private static RunConfig load(String text, String... overrides) {
    return ConfigLoader.parse(text, "run.pbtxt", List.of(overrides)).resolved();
  }

  private static String error(String text, String... overrides) {
    TfpeftException e = assertThrows(TfpeftException.class, () -> load(text, overrides));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    return e.getMessage();
  }

  @Test
  void aFieldWrittenInTheWrongBlockNamesItsRealPath() {
    String m = error(MINIMAL + "seed: 1\nlearning_rate: 0.1\n");
    assertTrue(m.startsWith("run.pbtxt:10:1: learning_rate: unknown field 'learning_rate'; it"
        + " belongs in training.learning_rate (write it inside that block); Fields of"
        + " RunConfig"), m);
    m = error(MINIMAL + "training { epochs: 2 rank: 4 }\n");
    // every method with a rank is named (LoRA's and Pear's LoRA among them), the last after "or"
    assertTrue(m.matches("(?s).*training\\.rank: unknown field 'rank'; it belongs in one of"
        + " (method\\.[a-z_.]+, )+method\\.[a-z_.]+ or method\\.[a-z_.]+ \\(write it inside"
        + " that block\\).*"), m);
    assertTrue(m.contains(" method.lora.rank,") && m.contains(" method.pear.lora.rank "), m);
  }

  @Test
  void unsetFieldsTakeTheirSchemaDefaults() {
    RunConfig c = load(MINIMAL);
    assertEquals(100, c.getTraining().getEpochs());
    assertEquals(1e-3f, c.getTraining().getLearningRate());
    assertEquals(Optimizer.ADAMW, c.getTraining().getOptimizer());
    assertEquals(0.1f, c.getTraining().getDropPath());
    assertEquals(1, c.getSeed());
    assertEquals("checkpoints", c.getOutputDir());
    assertEquals(4, c.getMethod().getLora().getRank());
    assertEquals(1f, c.getMethod().getLora().getScale());
    assertEquals("train800val200.txt", c.getData().getVtab().getTrainList(),
        "unselected oneof members still read as defaults");
    assertFalse(c.getData().hasVtab(), "only the selected source is filled in");
  }

  @Test
  void resolvedTextRoundTripsThroughTheLoader() {
    LoadedConfig loaded = ConfigLoader.parse(MINIMAL, "run.pbtxt", List.of());
    RunConfig again = load(loaded.resolvedText());
    assertEquals(loaded.resolved(), again);
    assertTrue(loaded.resolvedText().contains("epochs: 100"));
  }

  @Test
  void unknownFieldIsNamedWithLineAndSuggestion() {
    String msg = error(MINIMAL.replace("rank: 4", "rnak: 4"));
    assertTrue(msg.startsWith("run.pbtxt:8:"), msg);
    assertTrue(msg.contains("method.lora.rnak"), msg);
    assertTrue(msg.contains("did you mean 'rank'"), msg);
  }

  @Test
  void wrongTypeNamesTheFieldPath() {
    String msg = error(MINIMAL + "training {\n  epochs: \"ten\"\n}\n");
    assertTrue(msg.startsWith("run.pbtxt:10:"), msg);
    assertTrue(msg.contains("training.epochs"), msg);
  }

  @Test
  void unknownEnumValueListsTheValidOnes() {
    String msg = error(MINIMAL + "training { optimizer: LAMB }\n");
    assertTrue(msg.contains("training.optimizer"), msg);
    assertTrue(msg.contains("ADAMW, ADAM, SGD"), msg);
  }

  @Test
  void outOfRangeValueNamesLineFieldAndBound() {
    String msg = error(MINIMAL + "training {\n  batch_size: 0\n}\n");
    assertEquals("run.pbtxt:10:3: training.batch_size: must be >= 1, got 0", msg);
  }

  @Test
  void theScheduleStepsEitherAfterEachEpochOrEveryStep() {
    String msg = error(MINIMAL
        + "training { schedule_after_epoch: true schedule_per_step: true }\n");
    assertTrue(msg.contains("training.schedule_after_epoch"), msg);
  }

  @Test
  void accumulateStepsMustDivideTheBatchSize() {
    String msg = error(MINIMAL + "training { batch_size: 8 accumulate_steps: 3 }\n");
    assertTrue(msg.contains("training.accumulate_steps: 3 does not divide training.batch_size"),
        msg);
  }

  @Test
  void aLossScaleFieldOutsideFp16IsRefusedAtItsLine() {
    String msg = error(MINIMAL + "training {\n  precision: BF16\n  loss_scale: 1024\n}\n");
    assertTrue(msg.startsWith("run.pbtxt:11:3: training.loss_scale: acts only with"
        + " training.precision: FP16 (this run is BF16"), msg);
  }

  @Test
  void theLossScaleFieldsAreTakenUnderFp16AndTheResolvedConfigLoadsAgain() {
    RunConfig c = load(MINIMAL + "training { precision: FP16 loss_scale: 1024"
        + " loss_scale_growth_interval: 10 dynamic_loss_scale: false }\n");
    assertEquals(1024f, c.getTraining().getLossScale());
    assertEquals(10, c.getTraining().getLossScaleGrowthInterval());
    // a run's config.pbtxt holds every default: FP32 with the default loss scale loads
    RunConfig fp32 = load(MINIMAL);
    assertEquals(fp32, load(com.google.protobuf.TextFormat.printer().printToString(fp32)));
  }

  @Test
  void exclusiveMinimumIsEnforced() {
    String msg = error(MINIMAL + "training { learning_rate: 0 }\n");
    assertTrue(msg.contains("training.learning_rate: must be > 0"), msg);
  }

  @Test
  void missingRequiredMessageIsReported() {
    String msg = error("model { vit {} }\nmethod { lora {} }\n");
    assertEquals("run.pbtxt: data: is required; add a 'data { ... }' block", msg);
  }

  @Test
  void unsetRequiredOneofListsTheChoices() {
    String msg = error(MINIMAL.replace("method { lora { rank: 4 } }", "method { }"));
    assertTrue(msg.startsWith("run.pbtxt:8:1: method: set one of full_finetune, linear_probe"),
        msg);
  }

  @Test
  void requiredStringMustBeNonEmpty() {
    String msg = error(MINIMAL.replace("task: \"shape\"", "task: \"\""));
    assertTrue(msg.contains("data.synthetic.task: is required"), msg);
    assertTrue(msg.startsWith("run.pbtxt:6:"), msg);
  }

  @Test
  void twoMembersOfAOneofAreAnError() {
    String msg = error(MINIMAL.replace("method { lora { rank: 4 } }",
        "method { lora { rank: 4 } adaptformer { } }"));
    assertTrue(msg.contains("run.pbtxt:8:"), msg);
    assertTrue(msg.contains("oneof"), msg);
  }

  @Test
  void repeatedSingularFieldIsAnError() {
    String msg = error(MINIMAL + "seed: 1\nseed: 2\n");
    assertTrue(msg.startsWith("run.pbtxt:10:"), msg);
    assertTrue(msg.contains("seed"), msg);
  }

  @Test
  void syntaxErrorPointsAtTheLine() {
    String msg = error(MINIMAL + "training {\n  epochs: 3\n");
    assertTrue(msg.startsWith("run.pbtxt:"), msg);
  }

  @Test
  void crossFieldRuleNamesTheField() {
    String msg = error(MINIMAL.replace("patch_size: 4", "patch_size: 5"));
    assertTrue(msg.startsWith("run.pbtxt:3:"), msg);
    assertTrue(msg.contains("model.vit.patch_size: 5 does not divide model.vit.image_size = 32"),
        msg);
  }

  @Test
  void clipOnlyMethodOnVitIsRejected() {
    String msg = error(MINIMAL.replace("lora { rank: 4 }", "coop { }"));
    assertTrue(msg.contains("method.coop: needs a CLIP backbone"), msg);
  }

  @Test
  void setOverridesScalarsNestedAndEnums() {
    RunConfig c = load(MINIMAL, "training.epochs=3", "training.optimizer=sgd",
        "method.lora.scale=0.5", "seed=7");
    assertEquals(3, c.getTraining().getEpochs());
    assertEquals(Optimizer.SGD, c.getTraining().getOptimizer());
    assertEquals(0.5f, c.getMethod().getLora().getScale());
    assertEquals(4, c.getMethod().getLora().getRank(), "sibling fields are kept");
    assertEquals(7, c.getSeed());
  }

  @Test
  void setSelectsAnotherOneofMember() {
    RunConfig c = load(MINIMAL, "method.adaptformer.dim=16");
    assertTrue(c.getMethod().hasAdaptformer());
    assertFalse(c.getMethod().hasLora());
    assertEquals(16, c.getMethod().getAdaptformer().getDim());
  }

  @Test
  void setReplacesRepeatedFieldsAndTakesMessageBodies() {
    RunConfig c = load(MINIMAL, "method.lora={rank: 2 targets: \"*/attn/q\"}",
        "model.weights.ignore=head.weight,head.bias");
    assertEquals(2, c.getMethod().getLora().getRank());
    assertEquals(List.of("*/attn/q"), c.getMethod().getLora().getTargetsList());
    assertEquals(List.of("head.weight", "head.bias"), c.getModel().getWeights().getIgnoreList());
  }

  @Test
  void setErrorsNameTheArgument() {
    assertEquals("--set training.epochs=ten: training.epochs: expected an integer, got 'ten'",
        error(MINIMAL, "training.epochs=ten"));
    assertTrue(error(MINIMAL, "training.epoch=3").contains("did you mean 'epochs'"));
    assertTrue(error(MINIMAL, "training.batch_size=-1")
        .startsWith("--set training.batch_size=-1: training.batch_size: must be >= 1"));
    assertTrue(error(MINIMAL, "seed").contains("expected field.path=value"));
    assertTrue(error(MINIMAL, "seed.x=1").contains("seed: is not a message"));
  }

  @Test
  void missingFileIsAUsageError(@TempDir Path dir) {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.load(dir.resolve("nope.pbtxt"), List.of()));
    assertTrue(e.getMessage().endsWith("nope.pbtxt: config file not found"));
  }

  @Test
  void nonUtf8FileIsAUsageError(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bin.pbtxt");
    Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.load(f, List.of()));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
  }

  /** A config file is read up to a bound: a huge file is refused, naming it, not loaded whole. */
  @Test
  void aConfigFileLargerThanTheBoundIsRefusedByName(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path huge = dir.resolve("huge.pbtxt");
    try (var out = java.nio.file.Files.newOutputStream(huge)) {
      byte[] chunk = new byte[1 << 20];
      java.util.Arrays.fill(chunk, (byte) ' ');
      for (int i = 0; i <= ConfigLoader.MAX_CONFIG_BYTES >> 20; i++) {
        out.write(chunk);
      }
    }
    tfpeft.TfpeftException e = org.junit.jupiter.api.Assertions.assertThrows(
        tfpeft.TfpeftException.class, () -> ConfigLoader.loadData(huge));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(huge
        + ": config file is larger than 16 MiB"), e.getMessage());
  }
}
