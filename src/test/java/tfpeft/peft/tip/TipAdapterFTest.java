package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.Optimizer;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TipAdapterFConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
import tfpeft.train.RunDirectory;

/**
 * Tip-Adapter-F through the trainer on the shipped small CLIP (the colour task of
 * {@link TipAdapterTest}, 8 classes, 4 shots): the cache's keys train and its values do not,
 * and alpha and beta are searched after the last epoch.
 */
class TipAdapterFTest {
  static final String PREFIX = "peft/tip_adapter_f/";

  @TempDir Path dir;

  RunConfig config(TipAdapterFConfig tip) throws IOException {
    TipAdapterTest helper = new TipAdapterTest();
    helper.dir = dir;
    RunConfig base = helper.config(MethodConfig.newBuilder().setTipAdapterF(tip).build());
    // the official optimizer: AdamW, eps 1e-4, torch's weight decay 0.01, cosine per step
    return base.toBuilder().setName("tip_f").setTraining(TrainingConfig.newBuilder()
        .setEpochs(2).setBatchSize(16).setOptimizer(Optimizer.ADAMW).setLearningRate(1e-2f)
        .setEpsilon(1e-4f).setWeightDecay(0.01f).setWarmupEpochs(0).setMinLr(0)
        .setSchedulePerStep(true).setDropPath(0)).setEval(EvalConfig.newBuilder()
        .setEveryEpochs(0)).build();
  }

  @Test
  void theKeysTrainAwayFromTheNormalizedCacheWhileTheValuesStayOneHot() throws IOException {
    RunConfig c = config(TipAdapterFConfig.newBuilder().setSearch(false).setAlpha(2)
        .setAugmentViews(1).build());
    TipAdapterTest.train(c, new ByteArrayOutputStream());
    Map<String, float[]> cache = TipAdapterTest.checkpoint(c, PREFIX);
    float[] keys = cache.get(PREFIX + "keys");
    float[] values = cache.get(PREFIX + "values");
    int embed = keys.length / 32;
    double furthest = 0;
    for (int i = 0; i < 32; i++) {
      double norm = 0;
      for (int j = 0; j < embed; j++) {
        norm += keys[i * embed + j] * keys[i * embed + j];
      }
      furthest = Math.max(furthest, Math.abs(norm - 1));
      float ones = 0;
      for (int k = 0; k < 8; k++) {
        ones += values[i * 8 + k];
      }
      assertEquals(1f, ones, "value " + i + " is one-hot");
    }
    assertTrue(furthest > 1e-4, "the trained keys are the normalized cache still: " + furthest);
    assertArrayEquals(new float[] {2f}, cache.get(PREFIX + "alpha"));
    assertArrayEquals(new float[] {1f}, cache.get(PREFIX + "beta"));
  }

  @Test
  void alphaAndBetaAreSearchedOnTheWholeValidationSplitAfterTraining() throws IOException {
    RunConfig c = config(TipAdapterFConfig.newBuilder().setSearchAlphaMax(2)
        .setSearchAlphaSteps(4).setSearchBetaMax(4).setSearchBetaSteps(3).setAugmentViews(1)
        .build());
    JsonObject r = TipAdapterTest.train(c, new ByteArrayOutputStream())
        .getAsJsonObject("method_report");
    float alpha = r.get("alpha").getAsFloat();
    float beta = r.get("beta").getAsFloat();
    assertTrue(TipAdapterTest.contains(TipSearch.grid(2, 4), alpha), "alpha " + alpha);
    assertTrue(TipAdapterTest.contains(TipSearch.grid(4, 3), beta), "beta " + beta);
    assertEquals("VALIDATION", r.get("search_split").getAsString());
    assertEquals(12, r.get("search_val_images").getAsInt());
    assertEquals(false, r.has("labels"), "the report leaves the cache's labels out");
    Map<String, float[]> cache = TipAdapterTest.checkpoint(c, PREFIX);
    assertArrayEquals(new float[] {alpha}, cache.get(PREFIX + "alpha"));
    assertArrayEquals(new float[] {beta}, cache.get(PREFIX + "beta"));
    JsonObject shown = MethodSummary.of(Inventory.of(RunDirectory.of(c, "tip.pbtxt").root()))
        .json().getAsJsonObject("tip_adapter_f");
    assertEquals(alpha, shown.get("alpha").getAsFloat());
  }

  @Test
  void baseToNewIsRefusedAtItsField() {
    TipAdapterF m = new TipAdapterF(MethodConfig.newBuilder().setTipAdapterF(
        TipAdapterFConfig.getDefaultInstance()).build());
    RunConfig run = RunConfig.newBuilder().setEval(EvalConfig.newBuilder().setBaseToNew(true))
        .build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> m.checkConfig(run,
        (path, message) -> new IllegalArgumentException(path + ": " + message)));
    assertTrue(e.getMessage().startsWith("eval.base_to_new: method.tip_adapter_f: the cache's"
        + " values are the training classes' labels"), e.getMessage());
  }
}
