package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedSuite;
import tfpeft.config.SuiteLoader;
import tfpeft.config.proto.RunConfig;

/** Each run's config: what the suite changes in its method's base config, checked up front. */
class SuitePreparationTest {
  @TempDir Path dir;
  Path base;

  @BeforeEach
  void writeBase() throws IOException {
    base = dir.resolve("base.pbtxt");
    Files.writeString(base, """
        name: "base"
        model { vit { image_size: 16 patch_size: 4 width: 16 depth: 1 heads: 2 } }
        data { synthetic { dir: "nowhere" task: "color" } }
        method { lora { rank: 2 } }
        training { epochs: 3 learning_rate: 0.01 }
        """);
  }

  private SuitePreparation prepare(String text) {
    LoadedSuite s = SuiteLoader.parse(text.replace("BASE", base.toString()), "s.pbtxt");
    return SuitePreparation.prepare(s, SuitePlan.expand(s, dir.resolve("suite")), 3);
  }

  private static RunConfig parse(String text) throws TextFormat.ParseException {
    RunConfig.Builder b = RunConfig.newBuilder();
    TextFormat.merge(text, b);
    return b.build();
  }

  @Test
  void aRunConfigIsTheBaseWithTheTaskDataTheMethodsSetsThePointAndTheRunsOwnFields()
      throws Exception {
    SuitePreparation p = prepare("""
        name: "s"
        task { name: "shape" data { synthetic { dir: "there" task: "shape" } } }
        method {
          name: "lora" config: "BASE" set: "training.epochs=7"
          search { field: "training.learning_rate" value: ["0.5", "0.25"] label: "lr" }
        }
        seed: 4
        """);
    RunConfig c = parse(p.configs().get("shape-lora-lr-0.25-s4"));
    assertEquals("shape", c.getData().getSynthetic().getTask());
    assertEquals("there", c.getData().getSynthetic().getDir());
    assertEquals(7, c.getTraining().getEpochs());
    assertEquals(0.25f, c.getTraining().getLearningRate());
    assertEquals(2, c.getMethod().getLora().getRank());
    assertEquals(4, c.getSeed());
    assertEquals("shape-lora-lr-0.25-s4", c.getName());
    assertEquals(dir.resolve("suite/runs").toString(), c.getOutputDir());
    assertEquals(3, c.getRuntime().getIntraOpThreads());
  }

  @Test
  void aTaskWithoutDataKeepsTheBaseConfigsData() throws Exception {
    SuitePreparation p = prepare("""
        name: "s"
        task { name: "own" }
        method { name: "lora" config: "BASE" }
        """);
    assertEquals("color", parse(p.configs().get("own-lora-s1")).getData().getSynthetic()
        .getTask());
  }

  @Test
  void theFewShotProtocolSetsTheShotsOfEachRun() throws Exception {
    SuitePreparation p = prepare("""
        name: "s"
        task { name: "own" }
        method { name: "lora" config: "BASE" }
        protocol { few_shot { shots: [2, 8] } }
        """);
    assertEquals(8, parse(p.configs().get("own-lora-8shot-s1")).getData().getSampling()
        .getShots());
  }

  @Test
  void theBaseToNewProtocolTrainsOnTheBaseClassesAndTestsBothHalves() throws Exception {
    SuitePreparation p = prepare("""
        name: "s"
        task { name: "own" }
        method { name: "lora" config: "BASE" }
        protocol { base_to_new {} }
        """);
    RunConfig c = parse(p.configs().get("own-lora-s1"));
    assertEquals(tfpeft.config.proto.ClassSubset.BASE, c.getData().getSampling().getClasses());
    assertTrue(c.getEval().getBaseToNew());
  }

  @Test
  void anUnknownOverrideFieldIsRefusedAtTheSuiteLineThatSetsIt() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> prepare("""
        name: "s"
        task { name: "own" }
        method {
          name: "lora" config: "BASE"
          set: "training.epochs=2"
          set: "training.epoch=2"
        }
        """));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("s.pbtxt:6:3: method[0].set[1]: run own-lora-s1:"
        + " --set training.epoch=2: training.epoch: unknown field 'epoch'"), e.getMessage());
  }

  @Test
  void aBadSearchValueIsRefusedAtItsAxis() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> prepare("""
        name: "s"
        task { name: "own" }
        method {
          name: "lora" config: "BASE"
          search { field: "training.learning_rate" value: ["0.1", "fast"] }
        }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:5:3: method[0].search[0].value[1]:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("expected a number, got 'fast'"), e.getMessage());
  }

  @Test
  void aMissingMethodConfigIsRefusedAtTheMethodsConfigField() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> prepare("""
        name: "s"
        task { name: "own" }
        method { name: "lora" config: "no/such.pbtxt" }
        """));
    assertEquals("s.pbtxt:3:23: method[0].config: run own-lora-s1: no/such.pbtxt: config file"
        + " not found", e.getMessage());
  }

  @Test
  void aMissingTaskDataFileIsRefusedAtTheTask() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> prepare("""
        name: "s"
        task { name: "own" data_file: "no/data.pbtxt" }
        method { name: "lora" config: "BASE" }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:2:20: task[0].data_file: no/data.pbtxt:"),
        e.getMessage());
  }

  @Test
  void aTransferTargetNeedsData() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> prepare("""
        name: "s"
        task { name: "src" }
        task { name: "tgt" }
        method { name: "lora" config: "BASE" }
        protocol { transfer { source: "src" target: "tgt" } }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:3:1: task[1]: transfer target 'tgt' needs"
        + " its data"), e.getMessage());
  }

  @Test
  void aTransferTargetsDataFileHoldsItsDataBlock() throws Exception {
    SuitePreparation p = prepare("""
        name: "s"
        task { name: "src" }
        task { name: "tgt" data { synthetic { dir: "d" task: "size" } } }
        method { name: "lora" config: "BASE" }
        protocol { transfer { source: "src" target: "tgt" } }
        """);
    Path f = dir.resolve("tgt.pbtxt");
    Files.writeString(f, p.dataFiles().get("tgt"));
    assertEquals("size", tfpeft.config.ConfigLoader.loadData(f).getSynthetic().getTask());
  }
}
