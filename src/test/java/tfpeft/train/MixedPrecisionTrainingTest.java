package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.Precision;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * Training in BF16 and FP16 (training.precision): a resumed run ends bit-identical, and FP16's
 * loss scale skips the steps its gradients overflow and is checkpointed with the run.
 */
class MixedPrecisionTrainingTest {
  @TempDir Path out;

  /** The tiny full fine-tune (3 steps an epoch, 2 epochs) in {@code p}. */
  private RunConfig config(String name, Precision p) {
    RunConfig.Builder b = TinyRuns.config(out.resolve(name));
    b.getTrainingBuilder().setPrecision(p);
    return b.build();
  }

  /** Trains {@code c}, then again from its first checkpoint; both last checkpoints. */
  private List<CheckpointStore.Checkpoint> wholeAndResumed(RunConfig c) throws IOException {
    Path run = TinyRuns.train(c);
    Path copy = out.resolve("resumed").resolve(c.getName());
    TinyRuns.copyTree(run, copy);
    List<CheckpointStore.Checkpoint> checkpoints = TinyRuns.checkpoints(copy);
    for (CheckpointStore.Checkpoint k : checkpoints.subList(1, checkpoints.size())) {
      TinyRuns.deleteTree(k.dir());
    }
    Files.delete(copy.resolve(RunDirectory.REPORT));
    TinyRuns.train(c.toBuilder().setOutputDir(copy.getParent().toString()).build());
    List<CheckpointStore.Checkpoint> whole = TinyRuns.checkpoints(run);
    List<CheckpointStore.Checkpoint> resumed = TinyRuns.checkpoints(copy);
    return List.of(whole.get(whole.size() - 1), resumed.get(resumed.size() - 1));
  }

  private static void assertBitIdentical(CheckpointStore.Checkpoint a,
      CheckpointStore.Checkpoint b) {
    Map<String, float[]> x = TinyRuns.values(a);
    Map<String, float[]> y = TinyRuns.values(b);
    assertEquals(x.keySet(), y.keySet());
    for (String name : x.keySet()) {
      for (int i = 0; i < x.get(name).length; i++) {
        assertEquals(Float.floatToRawIntBits(x.get(name)[i]),
            Float.floatToRawIntBits(y.get(name)[i]), name + "[" + i + "] differs after resuming");
      }
    }
  }

  @Test
  void aBf16RunResumedAfterItsFirstCheckpointEndsBitIdentical() throws IOException {
    List<CheckpointStore.Checkpoint> both = wholeAndResumed(config("bf16", Precision.BF16));
    assertBitIdentical(both.get(0), both.get(1));
  }

  @Test
  void anFp16RunResumedEndsBitIdenticalWithItsLossScale() throws IOException {
    // growth after every finite step: the scale changes each step, so a resumed run that
    // started again from loss_scale would scale (and overflow) differently
    RunConfig.Builder b = config("fp16", Precision.FP16).toBuilder();
    b.getTrainingBuilder().setLossScale(4096).setLossScaleGrowthInterval(1);
    List<CheckpointStore.Checkpoint> both = wholeAndResumed(b.build());
    assertBitIdentical(both.get(0), both.get(1));
    assertEquals(both.get(0).state().get("loss_scale"), both.get(1).state().get("loss_scale"));
  }

  @Test
  void aBf16RunTrainsOnSeveralDevices() {
    RunConfig.Builder b = config("bf16-towers", Precision.BF16).toBuilder();
    b.getRuntimeBuilder().setVirtualCpuDevices(2).addDevices("/device:CPU:0")
        .addDevices("/device:CPU:1");
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(TinyRuns.train(b.build()));
    assertEquals(2, all.size());
  }

  @Test
  void fp16OnSeveralDevicesIsRefusedNamingBf16() {
    RunConfig.Builder b = config("towers", Precision.FP16).toBuilder();
    b.getRuntimeBuilder().setVirtualCpuDevices(2).addDevices("/device:CPU:0")
        .addDevices("/device:CPU:1");
    tfpeft.TfpeftException e = org.junit.jupiter.api.Assertions.assertThrows(
        tfpeft.TfpeftException.class, () -> TinyRuns.train(b.build()));
    assertTrue(e.getMessage().contains("training.precision FP16 with runtime.devices"),
        e.getMessage());
    assertTrue(e.getMessage().contains("BF16"), e.getMessage());
  }

  @Test
  void fp16StepsWhoseScaledGradientsOverflowAreSkippedAndHalveTheScale() {
    // 2^120 overflows float16 (65504) in every gradient: no step can apply in 6 steps
    RunConfig.Builder b = config("overflow", Precision.FP16).toBuilder();
    b.getTrainingBuilder().setLossScale(0x1p120f);
    Path run = TinyRuns.train(b.build());
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(run);
    JsonObject scale = all.get(all.size() - 1).state().getAsJsonObject("loss_scale");
    long steps = all.get(all.size() - 1).state().get("step").getAsLong();
    assertEquals(steps, scale.get("skipped").getAsLong());
    assertEquals(0x1p120f / (1L << steps), scale.get("scale").getAsFloat());
    // skipped steps change nothing: the second epoch's checkpoint is the first one's
    assertBitIdentical(all.get(0), all.get(all.size() - 1));
    assertTrue(steps >= 2, "steps " + steps);
  }
}
