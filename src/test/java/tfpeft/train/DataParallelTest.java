package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.RuntimeConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.MetricsLog;

/**
 * runtime.devices: towers on virtual CPU devices train as one device does at the same global
 * batch.
 *
 * <p>Tolerance: the towers' mean loss is the one device's mean summed in another order (per
 * tower, then weighted by images), so the step losses differ by float rounding only: measured
 * here at most 3e-7 (AdamW, as the runs train; 5e-7 for Pear across its prune). 1e-5 is the
 * issue's bound and well below what a wrong split does: the towers of a short last batch
 * averaged unweighted move its loss by 2.4e-3, every tower fed the first tower's images by
 * 6.5e-3. The log line naming the towers' devices is read from the copied ops, so a run that
 * quietly trained on one device fails too.
 */
class DataParallelTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir Path out;

  /** Full fine-tuning of the one-block ViT, 2 epochs, no drop path, on {@code devices}. */
  private RunConfig config(String name, int batch, int accumulate, int devices) {
    RunConfig.Builder b = TinyRuns.config(out.resolve(name));
    b.getTrainingBuilder().setBatchSize(batch).setAccumulateSteps(accumulate).setDropPath(0)
        .setDropLast(false).setLogEverySteps(1);
    RuntimeConfig.Builder r = b.getRuntimeBuilder();
    if (devices > 1) {
      r.setVirtualCpuDevices(devices);
      for (int i = 0; i < devices; i++) {
        r.addDevices("/device:CPU:" + i);
      }
    }
    return b.build();
  }

  /** The loss of every logged step, in order. */
  private static List<Double> stepLosses(Path run) {
    List<Double> losses = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(run.resolve(MetricsLog.FILE))) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (o.get("kind").getAsString().equals("step")) {
          losses.add(o.get("loss").getAsDouble());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return losses;
  }

  private static void assertSameLosses(RunConfig one, RunConfig towers) {
    List<Double> a = stepLosses(TinyRuns.train(one));
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    TrainerTest.train(towers, Trainer.Resume.AUTO, log);
    int n = towers.getRuntime().getDevicesCount();
    String placed = String.join(", ", towers.getRuntime().getDevicesList());
    assertTrue(log.toString(java.nio.charset.StandardCharsets.UTF_8).contains(n + " towers of "
        + towers.getTraining().getBatchSize() / towers.getTraining().getAccumulateSteps() / n
        + " images, on " + placed), log.toString(java.nio.charset.StandardCharsets.UTF_8));
    List<Double> b = stepLosses(RunDirectory.of(towers, "tiny.pbtxt").root());
    double worst = 0;
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      worst = Math.max(worst, Math.abs(a.get(i) - b.get(i)));
    }
    System.out.println("largest step-loss difference: " + worst);
    assertEquals(a.size(), b.size());
    assertTrue(a.size() >= 6, "steps logged: " + a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i), b.get(i), TOLERANCE, "step " + (i + 1));
    }
  }

  @Test
  void twoDevicesLogTheLossOfOneDeviceEveryStep() {
    assertSameLosses(config("one", 16, 1, 1), config("two", 16, 1, 2));
  }

  @Test
  void towersOfAccumulatedMicroBatchesLogTheLossOfOneDevice() {
    // batch 16 as two micro-batches of 8, each split over two towers of 4
    assertSameLosses(config("one", 16, 1, 1), config("two", 16, 2, 2));
  }

  @Test
  void aShortLastBatchIsSplitUnevenlyAndWeighedByImages() {
    // 48 images in batches of 10: the last batch of 8 goes to 5 towers as 2, 2, 2, 1, 1
    assertSameLosses(config("one", 10, 1, 1), config("five", 10, 1, 5));
  }

  @Test
  void aLastBatchSmallerThanTheDeviceCountLeavesTowersEmptyAndWeightless() {
    // 48 images in batches of 10 on 10 towers: the last batch of 8 leaves two towers without
    // images, whose mean loss is 0/0
    assertSameLosses(config("one", 10, 1, 1), config("ten", 10, 1, 10));
  }

  /** {@code b} (drop path off, every step logged) on one device, or two towers. */
  private static RunConfig onDevices(RunConfig.Builder b, int devices) {
    b.getTrainingBuilder().setDropPath(0).setLogEverySteps(1);
    if (devices > 1) {
      b.getRuntimeBuilder().setVirtualCpuDevices(devices).addDevices("/device:CPU:0")
          .addDevices("/device:CPU:1");
    }
    return b.build();
  }

  @Test
  void pearWarmsUpPrunesAndTrainsOnTowersAsOnOneDevice() {
    // warm-up epoch 1 accumulates weight x gradient importance inside the step; the prune
    // after it rebuilds the step, so epochs 2 and 3 run on a second set of towers
    MethodConfig pear = MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
        .setWarmupEpochs(1).setLora(LoraConfig.newBuilder().setRank(2))).build();
    assertSameLosses(onDevices(TinyRuns.vit(out.resolve("one"), "tiny", pear), 1),
        onDevices(TinyRuns.vit(out.resolve("two"), "tiny", pear), 2));
  }

  @Test
  void coopTrainsItsPromptsThroughTheTextTowerOfEveryTowerAsOneDevice() {
    MethodConfig coop = MethodConfig.newBuilder().setCoop(CoopConfig.newBuilder().setNCtx(2))
        .build();
    assertSameLosses(onDevices(TinyRuns.clip(out.resolve("one"), "tiny", coop), 1),
        onDevices(TinyRuns.clip(out.resolve("two"), "tiny", coop), 2));
  }

  @Test
  void aRunOnTowersResumedAfterItsFirstCheckpointEndsBitIdentical() throws IOException {
    RunConfig c = config("whole", 16, 1, 2);
    Path run = TinyRuns.train(c);
    Path copy = out.resolve("resumed").resolve("tiny");
    TinyRuns.copyTree(run, copy);
    List<CheckpointStore.Checkpoint> checkpoints = TinyRuns.checkpoints(copy);
    assertTrue(checkpoints.size() >= 2, "checkpoints: " + checkpoints.size());
    for (CheckpointStore.Checkpoint k : checkpoints.subList(1, checkpoints.size())) {
      TinyRuns.deleteTree(k.dir());
    }
    Files.delete(copy.resolve(RunDirectory.REPORT));
    TinyRuns.train(c.toBuilder().setOutputDir(copy.getParent().toString()).build());
    List<CheckpointStore.Checkpoint> whole = TinyRuns.checkpoints(run);
    List<CheckpointStore.Checkpoint> resumed = TinyRuns.checkpoints(copy);
    Map<String, float[]> a = TinyRuns.values(whole.get(whole.size() - 1));
    Map<String, float[]> b = TinyRuns.values(resumed.get(resumed.size() - 1));
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]),
            name + "[" + i + "] differs after resuming");
      }
    }
  }

  @Test
  void aDeviceCountThatDoesNotDivideTheBatchIsAConfigError() {
    String text = String.join("\n",
        "model { vit { image_size: 32 patch_size: 4 width: 64 depth: 2 heads: 4 } }",
        "data { synthetic { task: \"shape\" } }",
        "method { lora { rank: 4 } }",
        "training { batch_size: 16 accumulate_steps: 2 }",
        "runtime { devices: \"/device:GPU:0\" devices: \"/device:GPU:1\""
            + " devices: \"/device:GPU:2\" }", "");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.parse(text, "run.pbtxt", List.of()).resolved());
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("run.pbtxt:5") && e.getMessage().contains(
        "runtime.devices: 3 devices do not divide the batch each step runs at once:"
        + " training.batch_size 16 / training.accumulate_steps 2 = 8"), e.getMessage());
  }

  @Test
  void aDeviceTheMachineLacksIsRefusedByItsIndex() {
    RunConfig.Builder b = config("missing", 16, 1, 2).toBuilder();
    b.getRuntimeBuilder().setDevices(1, "/device:CPU:7");
    TfpeftException e = assertThrows(TfpeftException.class, () -> TinyRuns.train(b.build()));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("runtime.devices[1]: \"/device:CPU:7\" is not a device"),
        e.getMessage());
  }

  @Test
  void aGradientTransformThatReadsTheBatchAgainIsRefused() {
    // R-AMT's gradient dropout compares the gradient with the distillation loss's, computed
    // from the batch by a second pass that the towers do not split
    RunConfig.Builder b = TinyRuns.maskClip(out, MaskConfig.getDefaultInstance());
    b.getRuntimeBuilder().setVirtualCpuDevices(2).addDevices("/device:CPU:0")
        .addDevices("/device:CPU:1");
    TfpeftException e = assertThrows(TfpeftException.class, () -> new Trainer(b.build(),
        "tiny.pbtxt", TinyRuns.quiet(Trainer.Resume.AUTO), MethodRegistry.builtIn()).dryRun());
    assertTrue(e.getMessage().contains("runtime.devices: the method's gradient transform reads"
        + " the batch"), e.getMessage());
  }
}
