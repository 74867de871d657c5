package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.SyntheticLayout;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TipAdapterConfig;
import tfpeft.config.proto.TipSearchSplit;
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.ZeroShotConfig;
import tfpeft.data.Dataset;
import tfpeft.data.Example;
import tfpeft.data.Split;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.peft.MethodContext;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.RunResources;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunEvaluation;
import tfpeft.train.Trainer;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * TIP-Adapter through the trainer, on the shipped small CLIP over a tiny synthetic colour task
 * (8 classes, 4 shots), and its logits against a hand computation.
 */
class TipAdapterTest {
  @TempDir Path dir;

  RunConfig config(MethodConfig method) throws IOException {
    Path suite = dir.resolve("suite");
    if (!Files.exists(suite)) {
      SyntheticSuite.generate(suite, SyntheticOptions.builder().seed(0).imageSize(32)
          .pretrainCount(0).trainPerTask(48).valPerTask(12).testPerTask(30)
          .tasks(List.of("color")).build(), (s, d, t) -> {});
    }
    TransformConfig clip = TransformConfig.newBuilder().setNormalization(Normalization.CLIP)
        .build();
    return RunConfig.newBuilder().setName("tip").setOutputDir(dir.toString()).setSeed(2)
        .setModel(ModelConfig.newBuilder().setClip(ClipConfig.getDefaultInstance())
            .setWeights(WeightsConfig.newBuilder().setPath("checkpoints/pretrained/clip-small")))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(suite.toString()).setTask("color").setImageSize(32)
            .setLayout(SyntheticLayout.COOP))
            .setSampling(SamplingConfig.newBuilder().setShots(4))
            .setTrainTransform(clip).setEvalTransform(clip))
        .setMethod(method).build();
  }

  static MethodConfig tip(TipAdapterConfig c) {
    return MethodConfig.newBuilder().setTipAdapter(c).build();
  }

  static JsonObject train(RunConfig c, ByteArrayOutputStream log) {
    return new Trainer(c, "tip.pbtxt", new Trainer.Options(Trainer.Resume.AUTO,
        new PrintStream(log, true, StandardCharsets.UTF_8), false), MethodRegistry.builtIn())
        .run();
  }

  static Map<String, float[]> checkpoint(RunConfig c, String prefix) {
    CheckpointStore.Checkpoint last = RunDirectory.of(c, "tip.pbtxt").checkpoints().latest()
        .orElseThrow();
    Map<String, float[]> out = new TreeMap<>();
    TensorBundleReader.read(last.variables(), n -> n.startsWith(prefix)).tensors()
        .forEach(t -> out.put(t.name(), t.data()));
    return out;
  }

  @Test
  void alphaZeroThroughTheTrainerIsZeroShot() throws IOException {
    JsonObject zero = train(config(MethodConfig.newBuilder().setZeroShot(
        ZeroShotConfig.getDefaultInstance()).build()).toBuilder().setName("zero").build(),
        new ByteArrayOutputStream());
    JsonObject tip = train(config(tip(TipAdapterConfig.newBuilder().setAlpha(0)
        .setAugmentViews(2).build())), new ByteArrayOutputStream());
    assertEquals(zero.getAsJsonObject("test").get("confusion"),
        tip.getAsJsonObject("test").get("confusion"));
  }

  @Test
  void theCheckpointHoldsTheCacheAndCompletesTheRun() throws IOException {
    RunConfig c = config(tip(TipAdapterConfig.newBuilder().setAlpha(1.5f).setBeta(4f)
        .setAugmentViews(2).build()));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject report = train(c, log);
    assertEquals(0, report.get("epochs").getAsInt(), "a training-free run reports no epochs");
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("cache: 32 images of 8 classes, 2 "
        + "augmented views each"), log.toString(StandardCharsets.UTF_8));
    Map<String, float[]> cache = checkpoint(c, "peft/tip_adapter/");
    assertEquals(List.of("peft/tip_adapter/alpha", "peft/tip_adapter/beta",
        "peft/tip_adapter/keys", "peft/tip_adapter/values"), List.copyOf(cache.keySet()));
    assertArrayEquals(new float[] {1.5f}, cache.get("peft/tip_adapter/alpha"));
    assertArrayEquals(new float[] {4f}, cache.get("peft/tip_adapter/beta"));
    float[] keys = cache.get("peft/tip_adapter/keys");
    float[] values = cache.get("peft/tip_adapter/values");
    assertEquals(32 * 8, values.length);
    int embed = keys.length / 32;
    int[] perClass = new int[8];
    for (int i = 0; i < 32; i++) {
      double norm = 0;
      for (int j = 0; j < embed; j++) {
        norm += keys[i * embed + j] * keys[i * embed + j];
      }
      assertEquals(1, norm, 1e-5, "key " + i + " is normalized");
      float ones = 0;
      for (int k = 0; k < 8; k++) {
        ones += values[i * 8 + k];
        perClass[k] += (int) values[i * 8 + k];
      }
      assertEquals(1f, ones, "value " + i + " is one-hot");
    }
    assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4}, perClass);
    assertEquals(1.5, report.getAsJsonObject("method_report").get("alpha").getAsDouble());

    // the run is complete; a second train finds it so, and eval reuses the checkpoint's cache
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    train(c, again);
    assertTrue(again.toString(StandardCharsets.UTF_8).contains("is complete"));
    RunEvaluation.Result r = RunEvaluation.evaluate(c, "tip.pbtxt", "last", "test",
        MethodRegistry.builtIn(), new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8));
    assertEquals(report.getAsJsonObject("test").get("top1").getAsDouble(), r.metrics().top1());
  }

  @Test
  void theSearchPicksAlphaAndBetaFromTheGrid() throws IOException {
    RunConfig c = config(tip(TipAdapterConfig.newBuilder().setSearch(true).setSearchAlphaMax(2)
        .setSearchAlphaSteps(4).setSearchBetaMax(4).setSearchBetaSteps(3).setAugmentViews(1)
        .build()));
    JsonObject r = train(c, new ByteArrayOutputStream()).getAsJsonObject("method_report");
    float alpha = r.get("alpha").getAsFloat();
    float beta = r.get("beta").getAsFloat();
    assertTrue(contains(TipSearch.grid(2, 4), alpha), "alpha " + alpha);
    assertTrue(contains(TipSearch.grid(4, 3), beta), "beta " + beta);
    assertTrue(r.has("search_val_top1"));
    assertArrayEquals(new float[] {alpha}, checkpoint(c, "peft/tip_adapter/alpha")
        .get("peft/tip_adapter/alpha"));
    // inspect shows the searched values, not the config's unused alpha 1 and beta 1
    JsonObject shown = MethodSummary.of(Inventory.of(RunDirectory.of(c, "tip.pbtxt").root()))
        .json().getAsJsonObject("tip_adapter");
    assertEquals(alpha, shown.get("alpha").getAsFloat());
    assertEquals(beta, shown.get("beta").getAsFloat());
  }

  @Test
  void theSearchUsesTheDatasetsWholeValidationSplitAsTheOfficialCode() throws IOException {
    // 12 validation images of 8 classes; the run samples 1 per class (at most 8)
    RunConfig c = config(tip(TipAdapterConfig.newBuilder().setSearch(true).setSearchAlphaSteps(2)
        .setSearchBetaSteps(2).setAugmentViews(1).build()));
    c = c.toBuilder().setData(c.getData().toBuilder().setSampling(c.getData().getSampling()
        .toBuilder().setValShots(1))).build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject r = train(c, log).getAsJsonObject("method_report");
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("search on 12 validation images"),
        log.toString(StandardCharsets.UTF_8));
    assertEquals(12, r.get("search_val_images").getAsInt());
    assertEquals("VALIDATION", r.get("search_split").getAsString());
  }

  @Test
  void theSearchCanUseTheRunsFewShotValidation() throws IOException {
    RunConfig c = config(tip(TipAdapterConfig.newBuilder().setSearch(true).setSearchAlphaSteps(2)
        .setSearchBetaSteps(2).setAugmentViews(1)
        .setSearchSplit(TipSearchSplit.FEW_SHOT_VALIDATION).build()));
    c = c.toBuilder().setData(c.getData().toBuilder().setSampling(c.getData().getSampling()
        .toBuilder().setValShots(1))).build();
    JsonObject r = train(c, new ByteArrayOutputStream()).getAsJsonObject("method_report");
    assertTrue(r.get("search_val_images").getAsInt() <= 8, r.toString());
  }

  /** Two cached images, two classes: logits = clip + alpha exp(-beta (1 - cos)) V by hand. */
  @Test
  void theLogitsAreClipsPlusAlphaTimesTheCacheLogits() throws IOException {
    RunConfig c = config(tip(TipAdapterConfig.getDefaultInstance()));
    Split two = new Split("train", List.of(new Example("a", 0, null),
        new Example("b", 1, null)));
    Dataset d = new Dataset("hand", List.of("x", "y"), two, two, two, List.of());
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      TipAdapter m = new TipAdapter(c.getMethod());
      MethodContext ctx = new MethodContext(c, net, List.of("x", "y"),
          new RunResources(() -> null, n -> null, d));
      // image features (3, 4) -> (0.6, 0.8) and (0, -2) -> (0, -1); clip logits by row
      Operand<TFloat32> features = net.tf().constant(new float[][] {{3, 4}, {0, -2}});
      Operand<TFloat32> clip = net.tf().constant(new float[][] {{1, 2}, {0.5f, 0}});
      Operand<TFloat32> out = m.transformLogits(ctx, features, clip);
      try (Session s = new Session(g)) {
        s.initialize();
        // cached: (1, 0) of class 0, (0, 1) of class 1
        VariableValues.assign(s, net.variable("peft/tip_adapter/keys"), new float[] {1, 0, 0, 1});
        VariableValues.assign(s, net.variable("peft/tip_adapter/values"),
            new float[] {1, 0, 0, 1});
        VariableValues.assign(s, net.variable("peft/tip_adapter/alpha"), new float[] {2});
        VariableValues.assign(s, net.variable("peft/tip_adapter/beta"), new float[] {3});
        float[][] got;
        try (var r = s.runner().fetch(out).run()) {
          got = ClipClassifier.rows((TFloat32) r.get(0));
        }
        // row 0: cos 0.6 to class 0, 0.8 to class 1; row 1: cos 0 and -1
        float[][] want = {
            {1 + 2 * (float) Math.exp(-3 * 0.4), 2 + 2 * (float) Math.exp(-3 * 0.2)},
            {0.5f + 2 * (float) Math.exp(-3), 0 + 2 * (float) Math.exp(-6)}};
        for (int i = 0; i < 2; i++) {
          assertArrayEquals(want[i], got[i], 1e-5f, "row " + i);
        }
      }
    }
  }

  static boolean contains(float[] grid, float v) {
    for (float g : grid) {
      if (g == v) {
        return true;
      }
    }
    return false;
  }
}
