package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClassSubset;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.PipelineConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.model.ClipGraph;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.RunDirectory;
import tfpeft.train.Trainer;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * The prompt methods through the trainer on a tiny CLIP (random weights) and a tiny colour task:
 * a run trains, evaluates and checkpoints, only the method's variables move, and base-to-new
 * scores the new classes with the learned prompts.
 */
class PromptRunsTest {
  static final int IMAGE = 16;
  static final ClipConfig CLIP = ClipConfig.newBuilder().setImageSize(IMAGE).setPatchSize(4)
      .setVisionWidth(16).setVisionDepth(2).setVisionHeads(2).setTextWidth(12).setTextDepth(2)
      .setTextHeads(2).setContextLength(12).setVocabSize(726).setEmbedDim(8)
      .setTokenizer("checkpoints/pretrained/clip-small/vocab.json").addTemplates("X X {}.")
      .build();
  private static Path suite;

  @TempDir Path out;

  static synchronized Path suite() {
    if (suite == null) {
      try {
        Path dir = Files.createTempDirectory("tfpeft-prompt-suite");
        SyntheticSuite.generate(dir, SyntheticOptions.builder().seed(0).imageSize(IMAGE)
            .pretrainCount(0).trainPerTask(32).valPerTask(8).testPerTask(16)
            .tasks(List.of("color")).build(), (s, d, t) -> {});
        suite = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return suite;
  }

  static RunConfig.Builder config(Path out, MethodConfig method) {
    return RunConfig.newBuilder().setName("run").setOutputDir(out.toString()).setSeed(5)
        .setModel(ModelConfig.newBuilder().setClip(CLIP))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(suite().toString()).setTask("color").setImageSize(IMAGE))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(method)
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(16)
            .setLearningRate(1e-2f).setWarmupEpochs(0).setDropPath(0).setLogEverySteps(100))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  static JsonObject train(RunConfig c) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    return new Trainer(c, "run.pbtxt", new Trainer.Options(Trainer.Resume.AUTO,
        new PrintStream(log, true, StandardCharsets.UTF_8), false),
        MethodRegistry.builtIn()).run();
  }

  @Test
  void mudptTrainsOnlyItsPromptsAndInjectionAndScoresNewClasses() throws IOException {
    RunConfig.Builder b = config(out, MethodConfig.newBuilder().setMudpt(MudptConfig
        .newBuilder().setLength(2).setDepth(2).setInit("")
        .setInjection(InjectionKind.ATTENTION)).build());
    b.getDataBuilder().setSampling(SamplingConfig.newBuilder().setClasses(ClassSubset.BASE));
    b.getEvalBuilder().setBaseToNew(true);
    RunConfig c = b.build();
    JsonObject report = train(c);
    JsonObject h = report.getAsJsonObject("base_to_new");
    assertTrue(h.get("new").getAsDouble() >= 0 && h.get("harmonic_mean").getAsDouble() >= 0,
        report.toString());
    assertOnlyMethodVariablesMoved(c, "peft/mudpt/");
  }

  @Test
  void aTemplateTooShortForTheContextIsRefusedByName() {
    RunConfig.Builder b = config(out, MethodConfig.newBuilder().setCoop(CoopConfig.newBuilder()
        .setNCtx(3)).build());
    TfpeftException e = org.junit.jupiter.api.Assertions.assertThrows(TfpeftException.class,
        () -> train(b.build()));
    assertTrue(e.getMessage().startsWith("model.clip.templates: \"X X {}.\" puts the class "
        + "name after 2 tokens, but method.coop replaces the first 3"), e.getMessage());
    assertTrue(e.getMessage().contains("set model.clip.templates: \"X X X {}.\""),
        e.getMessage());
  }

  @Test
  void withoutTemplatesTheTextMethodSuppliesItsOwnPrompt() {
    RunConfig.Builder b = config(out, MethodConfig.newBuilder().setCoop(CoopConfig.newBuilder()
        .setNCtx(3)).build());
    b.getModelBuilder().getClipBuilder().clearTemplates();
    RunConfig c = b.build();
    try (Graph g = new Graph()) {
      var method = MethodRegistry.builtIn().create(c.getMethod());
      var graph = tfpeft.train.TrainGraph.build(g, c, method, List.of("red", "blue"),
          List.of("a photo of {} things."), tfpeft.peft.RunResources.of(c));
      assertEquals(List.of("X X X {}."), graph.templates());
    }
  }

  /**
   * The last checkpoint holds the backbone bit for bit as the seed initialized it, and every
   * variable under {@code prefix} moved.
   */
  static void assertOnlyMethodVariablesMoved(RunConfig c, String prefix) {
    CheckpointStore.Checkpoint last = RunDirectory.of(c, "run.pbtxt").checkpoints().latest()
        .orElseThrow();
    assertEquals(c.getTraining().getEpochs(), last.epoch());
    TensorFile saved = TensorBundleReader.read(last.variables(), name -> true);
    try (Graph g = new Graph()) {
      Net net = new Net(g, c.getSeed());
      MethodRegistry registry = MethodRegistry.builtIn();
      var method = registry.create(c.getMethod());
      var ctx = new tfpeft.peft.MethodContext(c, net, List.of("a", "b"));
      method.hooks(ctx).forEach(net::addHook);
      ClipGraph.build(net, c.getModel().getClip(), false);
      int moved = 0;
      try (Session s = new Session(g)) {
        s.initialize();
        for (ModelVariable v : net.variables()) {
          float[] start = VariableValues.read(s, v);
          float[] end = saved.get(v.name()).data();
          if (v.name().startsWith("backbone/")) {
            assertArrayEquals(bits(start), bits(end), v.name());
          } else {
            assertTrue(v.name().startsWith(prefix), v.name());
            assertFalse(Arrays.equals(start, end), v.name() + " did not move");
            moved++;
          }
        }
      }
      assertTrue(moved > 0);
    }
  }

  static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
