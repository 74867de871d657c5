package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.TinyRuns;

/** train, eval and bench from the command line, on the tiny synthetic runs. */
class TrainEvalCommandTest {
  @TempDir Path dir;

  Path config(String name, long seed) throws Exception {
    RunConfig c = TinyRuns.config(dir.resolve("runs")).setName(name).setSeed(seed).build();
    Path f = dir.resolve(name + ".pbtxt");
    Files.writeString(f, TextFormat.printer().printToString(c));
    return f;
  }

  @Test
  void dryRunCountsParametersAndWritesNothing() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", config("dry", 1).toString(),
        "--dry-run", "--set", "method.linear_probe={}");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("parameters: 119 trainable (3.45%) in 2 variables, 3,328 frozen"),
        r.out());
    assertTrue(r.out().contains("dry run"), r.out());
    assertFalse(Files.exists(dir.resolve("runs")));
  }

  /** A dry run refuses what the run refuses before its graph is built. */
  @Test
  void dryRunRefusesABatchThatCocoopCannotHoldAsTrainingDoes() throws Exception {
    RunConfig c = TinyRuns.clip(dir.resolve("runs"), "dry-cocoop",
        tfpeft.config.proto.MethodConfig.newBuilder().setCocoop(
            tfpeft.config.proto.CocoopConfig.newBuilder().setMaxPrompts(8).setMetaNetRatio(2)
                .setInit("")).build()).build();
    Path f = dir.resolve("dry-cocoop.pbtxt");
    Files.writeString(f, TextFormat.printer().printToString(c));
    MainTest.Result r = MainTest.run("train", "--config", f.toString(), "--dry-run", "--set",
        "training.batch_size=8");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("training.batch_size: 8 images x "), r.err());
    assertFalse(r.out().contains("dry run: the graph builds"), r.out());
  }

  /** A head has no outputs for new classes: base-to-new on one is refused, not scored. */
  @Test
  void baseToNewWithALinearHeadIsRefused() throws Exception {
    RunConfig c = TinyRuns.clip(dir.resolve("runs"), "b2n-head",
        tfpeft.config.proto.MethodConfig.newBuilder().setLinearProbe(
            tfpeft.config.proto.LinearProbeConfig.getDefaultInstance()).build()).build();
    Path f = dir.resolve("b2n-head.pbtxt");
    Files.writeString(f, TextFormat.printer().printToString(c));
    for (boolean dry : new boolean[] {true, false}) {
      MainTest.Result r = dry
          ? MainTest.run("train", "--config", f.toString(), "--dry-run", "--set",
              "data.sampling.classes=BASE", "--set", "eval.base_to_new=true")
          : MainTest.run("train", "--config", f.toString(), "--set",
              "data.sampling.classes=BASE", "--set", "eval.base_to_new=true");
      assertEquals(2, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("eval.base_to_new: method.linear_probe classifies with a linear"
          + " head trained on the base classes"), r.err());
    }
  }

  @Test
  void dryRunWithWeightsThatAreNotThereNamesThemAndAccountsNothing() throws Exception {
    Path missing = dir.resolve("no-such-weights");
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/pear-adaptformer.pbtxt",
        "--dry-run", "--set", "model.weights.path=" + missing);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(missing + ": weights not found (model.weights.path)"), r.err());
    // the adapters' count depends on the weights' architecture: none is guessed
    assertFalse(r.out().contains("adapters:"), r.out());
  }

  @Test
  void dryRunWithoutWeightsAccountsTheConfiguredArchitectureBeforeLookingForData()
      throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/pear-adaptformer.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // ViT-B/16 as the config states it: 12 AdaptFormer positions, 6 kept, 1 bit
    assertTrue(r.out().contains("36,960 bytes = 0.0352 MB"), r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16BitFitConfigPrintsTableIsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/bitfit.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // the encoder's 98 bias vectors in float32; Pear's Table I: 0.39 MB
    assertTrue(r.out().contains("bias vectors: 98 positions, 102,912 parameters"), r.out());
    assertTrue(r.out().contains("stored: 98 bias vectors at float32, 411,648 bytes = 0.393 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16AdapterPConfigPrintsTableIsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/adapterp.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // 12 blocks x 8 x (768 + 768) weights, no biases, float32; Pear's Table I: 0.56 MB
    assertTrue(r.out().contains("adapters: 12 positions, 147,456 parameters"), r.out());
    assertTrue(r.out().contains("stored: 12 adapters at float32, 589,824 bytes = 0.563 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16CompacterConfigPrintsTableIsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/compacter.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // 24 adapters (attention and MLP of 12 blocks) x 2 x (768 + 24) rank-1 factors, plus the
    // 4 x 4 x 4 shared rules once, no biases, float32; Pear's Table I: 0.15 MB
    assertTrue(r.out().contains("adapters: 24 positions, 38,080 parameters"), r.out());
    assertTrue(r.out().contains("stored: 24 adapters at float32, 152,320 bytes = 0.145 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16FactTtConfigPrintsItsFactorsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/fact-tt.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // rank 8: U and V shared by the 144 slices, one 8 x 8 core per slice in 72 site tensors
    assertTrue(r.out().contains("factor tensors: 144 positions, 21,504 parameters"), r.out());
    assertTrue(r.out().contains("stored: 74 factor tensors at float32, 86,016 bytes = 0.0820 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16FourierFtConfigPrintsItsLoraAlignedStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/fourierft.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // 24 q and v projections x 12,288 coefficients (LoRA r = 8's 8 (768 + 768)), float32: 1.125
    // MB; Table I prints 1.20 (docs/adapters.md: no aligned count gives it)
    assertTrue(r.out().contains("spectra: 24 positions, 294,912 parameters"), r.out());
    assertTrue(r.out().contains("stored: 24 spectra at float32, 1,179,648 bytes = 1.13 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16MoraConfigPrintsItsLoraAlignedStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/mora.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // 24 projections x 110^2 (r_hat = int(sqrt(1536 x 8) + 0.5) = 111, even for the rotation
    // operator), float32: 1.108 MB; Table I prints 1.15
    assertTrue(r.out().contains("matrices: 24 positions, 290,400 parameters"), r.out());
    assertTrue(r.out().contains("stored: 24 matrices at float32, 1,161,600 bytes = 1.11 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16VptShallowConfigPrintsTableIsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/vpt-shallow.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // 82 prompt tokens of width 768 at the input only, float32; Pear's Table I: 0.24 MB
    assertTrue(r.out().contains("prompt layers: 1 positions, 62,976 parameters"), r.out());
    assertTrue(r.out().contains("stored: 1 prompt layers at float32, 251,904 bytes = 0.240 MB"),
        r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void dryRunOfTheVitB16SsfConfigPrintsTableIsStorage() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", "configs/vtab/ssf.pbtxt",
        "--dry-run", "--set", "model.weights.path=", "--set",
        "data.vtab.root=" + dir.resolve("no-vtab"));
    // a scale and a shift after 98 operations of the encoder, float32; Pear's Table I: 0.78 MB
    assertTrue(r.out().contains("scale-shift pairs: 98 positions, 205,824 parameters"), r.out());
    assertTrue(r.out().contains("stored: 98 scale-shift pairs at float32, 823,296 bytes"
        + " = 0.785 MB"), r.out());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void trainThenEvaluateTheRunAndSummarizeSeeds() throws Exception {
    MainTest.Result a = MainTest.run("train", "--config", config("seed1", 1).toString());
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().matches("(?s).*seed1: test top-1 \\d+\\.\\d\\d%, top-3 .*"), a.out());
    assertTrue(a.err().contains("epoch 2/2"), a.err());
    MainTest.Result b = MainTest.run("train", "--config", config("seed2", 2).toString());
    assertEquals(0, b.code(), b.err());

    Path run = dir.resolve("runs/seed1");
    MainTest.Result e = MainTest.run("eval", run.toString(), "--checkpoint", "best");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("true\\pred"), e.out());
    assertTrue(e.out().contains("6 bar"), e.out());
    assertTrue(Files.isRegularFile(run.resolve("eval_epoch-0001_test.json"))
        || Files.isRegularFile(run.resolve("eval_epoch-0002_test.json")), e.out());

    MainTest.Result s = MainTest.run("eval", "--runs", dir.resolve("runs/seed*").toString());
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().contains("2 runs (mean +- sample std):"), s.out());
    assertTrue(s.out().contains("test top-1"), s.out());
  }

  @Test
  void resumeAndOverwriteExcludeEachOther() throws Exception {
    MainTest.Result r = MainTest.run("train", "--config", config("x", 1).toString(), "--resume",
        "--overwrite");
    assertEquals(2, r.code());
  }

  @Test
  void benchMeasuresTheTrainingStepAndEvaluation() throws Exception {
    MainTest.Result r = MainTest.run("bench", "--config", config("bench", 1).toString(),
        "--steps", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s).*training step  batch  16 .* images/s .* GFLOP/s.*"),
        r.out());
    assertTrue(r.out().contains("peak memory"), r.out());
  }

  @Test
  void benchReportsThePrecisionTheDevicesAndTheMatmulCeilingWithTheStepsShare()
      throws Exception {
    MainTest.Result r = MainTest.run("bench", "--config", config("bench", 1).toString(),
        "--steps", "1", "--set", "training.precision=BF16", "--ceiling-size", "128");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("precision      BF16"), r.out());
    assertTrue(r.out().matches("(?s).*devices .*CPU:0.*"), r.out());
    assertTrue(r.out().matches("(?s).*matmul ceiling 128 x 128: fp32 [0-9.]+ GFLOP/s, bf16"
        + " [0-9.]+ GFLOP/s.*"), r.out());
    assertTrue(r.out().matches("(?s).*training step  [0-9]+% of the bf16 ceiling.*"), r.out());
  }

  @Test
  void benchProfileListsTheNSlowestOpTypesAndNodes() throws Exception {
    MainTest.Result r = MainTest.run("bench", "--config", config("bench", 1).toString(),
        "--steps", "1", "--profile", "3", "--ceiling-size", "128");
    assertEquals(0, r.code(), r.err());
    String out = r.out();
    String types = out.substring(out.indexOf("profile        one traced training step"),
        out.indexOf("slowest nodes"));
    String nodes = out.substring(out.indexOf("slowest nodes"));
    // three op types and a "(K more op types)" line; three nodes, slowest first
    assertEquals(3, types.lines().filter(l -> l.matches(" +\\S+ +[0-9]+ ops .*")).count(), out);
    assertTrue(types.matches("(?s).*\\([0-9]+ more op types\\).*"), out);
    List<Double> ms = nodes.lines().filter(l -> l.matches(" +[0-9.]+ ms  .* = .*"))
        .map(l -> Double.parseDouble(l.trim().split(" ")[0])).toList();
    assertEquals(3, ms.size(), out);
    assertTrue(ms.get(0) >= ms.get(1) && ms.get(1) >= ms.get(2), out);
  }
}
