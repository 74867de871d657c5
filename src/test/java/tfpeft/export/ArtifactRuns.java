package tfpeft.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PipelineConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.model.BuiltModel;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.TinySuite;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunSession;
import tfpeft.train.Trainer;

/**
 * Tiny runs to make artifacts from: a two-block ViT on the shape task (TinySuite) and a tiny
 * CLIP (random weights, two blocks per tower) on a colour task, each training in seconds; and
 * the logits of a run's last checkpoint against those of its artifact applied to the base.
 */
public final class ArtifactRuns {
  static final int IMAGE = 16;
  static final ClipConfig CLIP = ClipConfig.newBuilder().setImageSize(IMAGE).setPatchSize(4)
      .setVisionWidth(16).setVisionDepth(2).setVisionHeads(2).setTextWidth(12).setTextDepth(2)
      .setTextHeads(2).setContextLength(12).setVocabSize(726).setEmbedDim(8)
      .setTokenizer("checkpoints/pretrained/clip-small/vocab.json").addTemplates("X X {}.")
      .build();
  private static Path clipSuite;

  private ArtifactRuns() {}

  public static RunConfig.Builder vit(Path out, String name, MethodConfig method) {
    RunConfig.Builder b = TinySuite.config(out, name, method);
    b.getTrainingBuilder().setEpochs(2);
    return b;
  }

  public static synchronized Path clipSuite() {
    if (clipSuite == null) {
      try {
        Path dir = Files.createTempDirectory("tfpeft-artifact-suite");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TinySuite.deleteTree(dir)));
        SyntheticSuite.generate(dir, SyntheticOptions.builder().seed(0).imageSize(IMAGE)
            .pretrainCount(0).trainPerTask(32).valPerTask(8).testPerTask(16)
            .tasks(List.of("color")).build(), (s, d, t) -> {});
        clipSuite = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return clipSuite;
  }

  public static RunConfig.Builder clip(Path out, String name, MethodConfig method) {
    return RunConfig.newBuilder().setName(name).setOutputDir(out.toString()).setSeed(5)
        .setModel(ModelConfig.newBuilder().setClip(CLIP))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(clipSuite().toString()).setTask("color").setImageSize(IMAGE))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(method)
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(16)
            .setLearningRate(1e-2f).setWarmupEpochs(0).setDropPath(0).setLogEverySteps(100))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  /** Trains {@code c} into its run directory (returned). */
  public static Path train(RunConfig c) {
    return train(new Trainer(c, c.getName() + ".pbtxt", options(), MethodRegistry.builtIn()));
  }

  static Path train(Trainer t) {
    t.run();
    return t.directory().root();
  }

  static Trainer.Options options() {
    return new Trainer.Options(Trainer.Resume.AUTO, new PrintStream(new ByteArrayOutputStream(),
        true, StandardCharsets.UTF_8), false);
  }

  /** Deterministic images in [0, 1] of the model's size, row-major [n, S, S, 3]. */
  static float[] images(RunConfig c, int n) {
    int s = BuiltModel.imageSize(c.getModel());
    float[] px = new float[n * s * s * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (0.5 + 0.5 * Math.sin(0.731 * i + 0.2 * (i % 7)));
    }
    return px;
  }

  /** The logits of the run's last checkpoint on {@link #images}. */
  static float[][] runLogits(Path runDir, RunConfig c, int n) {
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      m.restore(new RunDirectory(runDir).checkpoints().latest().orElseThrow());
      return m.logits(images(c, n), n);
    }
  }

  /** The logits of the artifact at {@code art} applied to its base. */
  static float[][] appliedLogits(Path art, RunConfig c, int n) {
    AdapterArtifact a = AdapterArtifact.read(art);
    try (RunSession m = a.openOnBase(null, MethodRegistry.builtIn(), s -> { }, art)) {
      return m.logits(images(c, n), n);
    }
  }

  static double maxAbsDiff(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new AssertionError(a.length + " rows vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i].length != b[i].length) {
        throw new AssertionError(a[i].length + " columns vs " + b[i].length);
      }
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }
}
