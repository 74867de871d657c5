package tfpeft.peft.ssf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.Schedule;
import tfpeft.config.proto.SsfConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.ClipGraph;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.ExportContext;
import tfpeft.peft.MethodContext;
import tfpeft.peft.TinyModels;
import tfpeft.train.TinyRuns;
import tfpeft.train.checkpoint.CheckpointStore;

/** What SSF itself decides: where its pairs go, how they start, decay, count and fold. */
class SsfTest {
  static RunConfig run(ModelConfig model, SsfConfig ssf) {
    return RunConfig.newBuilder().setModel(model)
        .setMethod(MethodConfig.newBuilder().setSsf(ssf)).build();
  }

  static final RunConfig TINY_VIT = run(ModelConfig.newBuilder().setVit(TinyModels.VIT).build(),
      SsfConfig.getDefaultInstance());

  /** Builds {@code config}'s ViT with SSF's hooks; returns the method after afterBuild. */
  static Ssf build(Net net, RunConfig config) {
    Ssf ssf = new Ssf(config.getMethod());
    MethodContext ctx = new MethodContext(config, net, List.of("a", "b", "c"));
    ssf.hooks(ctx).forEach(net::addHook);
    VitClassifier.build(net, config.getModel().getVit(), TinyModels.CLASSES, false);
    ssf.afterBuild(ctx);
    return ssf;
  }

  @Test
  void onVitB16TheOfficialPlacementStores98PairsOf205824Values() {
    AdapterAccounting a = new Ssf(MethodConfig.newBuilder().setSsf(SsfConfig
        .getDefaultInstance()).build()).accounting(ModelConfig.newBuilder()
        .setVit(VitConfig.getDefaultInstance()).build(), null).orElseThrow();
    // patch embedding and final LayerNorm 768 each; per block q, k, v, out, fc2, ln1, ln2 768
    // and fc1 3072: 12 * 8448 + 1536 = 102,912 channels, a scale and a shift each
    assertEquals(98, a.positions());
    assertEquals(205_824, a.trainableParameters());
    assertEquals(823_296, a.storedBytes());
  }

  @Test
  void theScaleAndShiftVectorsTakeNoWeightDecayUnlessAsked() {
    Ssf official = new Ssf(TINY_VIT.getMethod());
    assertFalse(official.weightDecays("peft/ssf/block0/attn/q/scale"));
    assertTrue(official.weightDecays("head/head/weight"));
    Ssf decayed = new Ssf(MethodConfig.newBuilder().setSsf(SsfConfig.newBuilder()
        .setWeightDecay(true)).build());
    assertTrue(decayed.weightDecays("peft/ssf/block0/attn/q/scale"));
  }

  @Test
  void theTrainerLeavesTheScalesUndecayed(@TempDir Path out) {
    // scales start at exactly 1; one AdamW step moves a weight by at most lr (Adam's first step
    // is lr * g / (|g| + eps)) plus lr * wd * w of decay, here 10 times that
    float lr = 1e-2f;
    RunConfig.Builder c = TinyRuns.vit(out, "ssf-decay", MethodConfig.newBuilder().setSsf(
        SsfConfig.newBuilder().setInitStd(0)).build());
    c.setTraining(TrainingConfig.newBuilder().setEpochs(1).setBatchSize(256).setLearningRate(lr)
        .setWeightDecay(10).setWarmupEpochs(0).setSchedule(Schedule.CONSTANT).setDropPath(0));
    c.setEval(EvalConfig.newBuilder().setEveryEpochs(0));
    List<CheckpointStore.Checkpoint> checkpoints = TinyRuns.checkpoints(TinyRuns.train(c.build()));
    Map<String, float[]> values = TinyRuns.values(checkpoints.get(checkpoints.size() - 1));
    int scales = 0;
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      if (e.getKey().startsWith("peft/ssf/") && e.getKey().endsWith("/scale")) {
        scales++;
        for (float v : e.getValue()) {
          assertEquals(1f, v, 1.001f * lr, e.getKey());
        }
      }
    }
    assertEquals(18, scales);
  }

  @Test
  void scalesStartAroundOneAndShiftsAroundZeroWithStd002() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 7);
      build(net, TINY_VIT);
      s.initialize();
      double[] scale = moments(s, net, "/scale");
      double[] shift = moments(s, net, "/shift");
      assertEquals(1, scale[0], 0.006);
      assertEquals(0.02, scale[1], 0.005);
      assertEquals(0, shift[0], 0.006);
      assertEquals(0.02, shift[1], 0.005);
    }
  }

  /** Mean and std of every SSF variable ending in {@code suffix}. */
  static double[] moments(Session s, Net net, String suffix) {
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (ModelVariable v : net.variables("peft/ssf/")) {
      if (v.name().endsWith(suffix)) {
        for (float x : VariableValues.read(s, v)) {
          sum += x;
          squares += (double) x * x;
          n++;
        }
      }
    }
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(squares / n - mean * mean)};
  }

  @Test
  void theDefaultTargetsAreTheOfficialPlacement() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      build(net, TINY_VIT);
      List<String> sites = net.variables("peft/ssf/").stream().map(ModelVariable::name)
          .filter(n -> n.endsWith("/scale")).map(n -> n.substring("peft/ssf/".length(),
              n.length() - "/scale".length())).toList();
      assertEquals(List.of("patch_embed", "block0/ln1", "block0/attn/q", "block0/attn/k",
          "block0/attn/v", "block0/attn/out", "block0/ln2", "block0/mlp/fc1", "block0/mlp/fc2",
          "block1/ln1", "block1/attn/q", "block1/attn/k", "block1/attn/v", "block1/attn/out",
          "block1/ln2", "block1/mlp/fc1", "block1/mlp/fc2", "norm"), sites);
    }
  }

  @Test
  void targetsThatMatchNoSiteAreAConfigError() {
    try (Graph g = new Graph()) {
      TfpeftException e = assertThrows(TfpeftException.class, () -> build(new Net(g, 1),
          run(TINY_VIT.getModel(), SsfConfig.newBuilder().addTargets("block*/nothing").build())));
      assertTrue(e.getMessage().startsWith("method.ssf.targets: no Linear or LayerNorm site"),
          e.getMessage());
    }
  }

  @Test
  void theHeadIsNoTarget() {
    try (Graph g = new Graph()) {
      TfpeftException e = assertThrows(TfpeftException.class, () -> build(new Net(g, 1),
          run(TINY_VIT.getModel(), SsfConfig.newBuilder().addTargets("head").build())));
      assertEquals("method.ssf.targets: head is not a layer of the backbone; leave it out of the"
          + " targets", e.getMessage());
    }
  }

  @Test
  void aTargetedLinearWithoutBiasKeepsTheHooksAtExport() {
    Ssf ssf = new Ssf(TINY_VIT.getMethod());
    assertTrue(ssf.exportFolds(TINY_VIT));
    RunConfig noQkvBias = run(ModelConfig.newBuilder().setVit(TinyModels.VIT.toBuilder()
        .setQkvBias(false)).build(), SsfConfig.getDefaultInstance());
    assertFalse(ssf.exportFolds(noQkvBias));
    assertTrue(ssf.foldingDescription(noQkvBias).startsWith("its hooks kept"));
  }

  @Test
  void aBiasFreePatchEmbeddingShiftsThePatchRowsOfThePositionEmbedding() {
    // [3 tokens, 2 channels]: the class token's row stays
    assertArrayEquals(new float[] {1, 2, 3.5f, 3, 5.5f, 5}, ScaleShiftFold.patchRowsShifted(
        new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, -1f}));
  }

  @Test
  void onClipThePlainImageTowerOnTheFoldedWeightsComputesTheScaledAndShiftedOne() {
    // CLIP's patch embedding has no bias: its shift folds into the position embedding
    RunConfig clip = run(ModelConfig.newBuilder().setClip(TinyModels.CLIP).build(),
        SsfConfig.newBuilder().setInitStd(0.5f).build());
    Map<String, float[]> folded = new HashMap<>();
    float[] hooked;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 3);
      Ssf ssf = new Ssf(clip.getMethod());
      MethodContext ctx = new MethodContext(clip, net, List.of("a", "b", "c"));
      ssf.hooks(ctx).forEach(net::addHook);
      ClipGraph graph = ClipGraph.build(net, TinyModels.CLIP, false);
      ssf.afterBuild(ctx);
      assertTrue(ssf.exportFolds(clip));
      s.initialize();
      hooked = imageFeatures(s, graph);
      ssf.exportTransform(new ExportContext(clip, net, s));
      for (ModelVariable v : net.variables("backbone/")) {
        folded.put(v.name(), VariableValues.read(s, v));
      }
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 3);
      ClipGraph graph = ClipGraph.build(net, TinyModels.CLIP, false);
      s.initialize();
      for (ModelVariable v : net.variables()) {
        VariableValues.assign(s, v, folded.get(v.name()));
      }
      assertArrayEquals(hooked, imageFeatures(s, graph), 1e-5f);
    }
  }

  static float[] imageFeatures(Session s, ClipGraph graph) {
    Operand<TFloat32> features = graph.imageFeatures();
    try (TFloat32 x = TinyModels.clipImages(2);
        var r = s.runner().feed(graph.images(), x).fetch(features).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }
}
