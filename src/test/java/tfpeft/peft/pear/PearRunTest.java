package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.KnowledgeCheckpoint;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.Trainer;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.TinyRuns;

/** Pear through the trainer: the prune step, the plan in the run, and exact resume across it. */
class PearRunTest {
  @TempDir static Path out;
  static JsonObject whole;
  static String wholeLog;

  // 4 positions (q, v of two blocks); warm-up 2 of 3 epochs; 1-bit LoRA with DA
  static final MethodConfig PEAR = MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
      .setLora(LoraConfig.newBuilder().setRank(2).setBits(1).setDropout(0.1f))
      .setWarmupEpochs(2).setKnowledgeCheckpoint(KnowledgeCheckpoint.DA)).build();

  static JsonObject train(RunConfig c, ByteArrayOutputStream log) {
    return new Trainer(c, "pear.pbtxt", new Trainer.Options(Trainer.Resume.AUTO,
        new PrintStream(log, true, StandardCharsets.UTF_8), false),
        MethodRegistry.builtIn()).run();
  }

  static Map<String, float[]> variables(Path checkpoint) throws IOException {
    Map<String, float[]> out = new TreeMap<>();
    for (var t : tfpeft.model.weights.TensorBundleReader.read(checkpoint.resolve(
        CheckpointStore.VARIABLES), n -> true).tensors()) {
      out.put(t.name(), t.data());
    }
    return out;
  }

  @BeforeAll
  static void trainTheWholeRun() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    whole = train(TinyRuns.vit(out, "whole", PEAR).build(), log);
    wholeLog = log.toString(StandardCharsets.UTF_8);
  }

  /** A copy of the whole run as if interrupted after {@code epoch}, under {@code name}. */
  static Path interruptedAfter(int epoch, String name) throws IOException {
    Path cut = out.resolve(name);
    TinyRuns.copyTree(out.resolve("whole"), cut);
    for (int e = epoch + 1; e <= 3; e++) {
      TinyRuns.deleteTree(checkpoint(cut, e));
    }
    Files.delete(cut.resolve("report.json"));
    if (epoch < PEAR.getPear().getWarmupEpochs()) {
      Files.delete(cut.resolve(PearMethod.PLAN_FILE));
    }
    return cut;
  }

  static Path checkpoint(Path run, int epoch) {
    return run.resolve("checkpoints").resolve(CheckpointStore.name(epoch));
  }

  @Test
  void thePruneStepRecordsThePlanAndOnlyKeptAdaptersTrainAfterIt() throws IOException {
    Path run = out.resolve("whole");
    assertTrue(wholeLog.contains("method.pear changed what trains"), wholeLog);
    PearPlan plan = PearPlanJson.parse(Files.readString(run.resolve(PearMethod.PLAN_FILE)),
        "pear_plan.json");
    assertEquals(2, plan.kept().size());
    JsonObject state1 = CheckpointStore.read(checkpoint(run, 1)).state();
    JsonObject state2 = CheckpointStore.read(checkpoint(run, 2)).state();
    assertFalse(state1.getAsJsonObject("method").getAsJsonObject("state").has("plan"));
    assertEquals(plan, PearPlanJson.fromJson(state2.getAsJsonObject("method")
        .getAsJsonObject("state").getAsJsonObject("plan"), "state"));

    Map<String, float[]> after = variables(checkpoint(run, 2));
    Map<String, float[]> last = variables(checkpoint(run, 3));
    for (int p = 0; p < plan.size(); p++) {
      String a = "peft/pear/" + plan.sites().get(p) + "/lora_a";
      if (plan.pruned()[p]) {
        assertArrayEquals(after.get(a), last.get(a), 0f, a + " is pruned and stays as it was");
      } else {
        assertFalse(java.util.Arrays.equals(after.get(a), last.get(a)), a + " trains on");
      }
    }
    assertArrayEquals(after.get("peft/pear/state/importance"),
        last.get("peft/pear/state/importance"), 0f);
    assertArrayEquals(SharedAdapters.offset(plan.routing(), plan.size()),
        last.get("peft/pear/state/routing_offset"), 0f);
  }

  @Test
  void resumingBeforeThePruneStepEndsExactlyAsTheUninterruptedRun() throws IOException {
    // the same run interrupted after epoch 1 (warm-up): later checkpoints and results gone
    Path cut = interruptedAfter(1, "before");
    ByteArrayOutputStream log2 = new ByteArrayOutputStream();
    JsonObject resumed = train(TinyRuns.vit(out, "before", PEAR).build(), log2);
    assertTrue(log2.toString(StandardCharsets.UTF_8).contains("resumed from"));

    Map<String, float[]> a = variables(checkpoint(out.resolve("whole"), 3));
    Map<String, float[]> b = variables(checkpoint(cut, 3));
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), 0f, name);
    }
    assertEquals(Files.readString(out.resolve("whole").resolve(PearMethod.PLAN_FILE)),
        Files.readString(cut.resolve(PearMethod.PLAN_FILE)));
    assertEquals(whole.get("test"), resumed.get("test"));
  }
}
