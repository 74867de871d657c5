package tfpeft.peft.mask;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PipelineConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.SyntheticLayout;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.Trainer;

/**
 * Runs of a randomly initialized tiny CLIP (16 px, one block per tower) on a tiny synthetic
 * suite generated once per test JVM, with the shipped small CLIP's vocabulary: a few seconds each.
 */
final class TinyClipRuns {
  static final int IMAGE = 16;
  static final String VOCAB = "checkpoints/pretrained/clip-small";
  private static Path suite;

  private TinyClipRuns() {}

  static synchronized Path suite() {
    if (suite == null) {
      try {
        Path dir = Files.createTempDirectory("tfpeft-mask-suite");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        SyntheticSuite.generate(dir, SyntheticOptions.builder().seed(0).imageSize(IMAGE)
            .pretrainCount(0).trainPerTask(48).valPerTask(16).testPerTask(24)
            .tasks(List.of("size")).build(), (s, d, t) -> {});
        suite = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return suite;
  }

  static RunConfig.Builder config(Path out, MaskConfig mask) {
    return RunConfig.newBuilder().setName("tiny").setOutputDir(out.toString()).setSeed(5)
        .setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setVisionWidth(16).setVisionDepth(1).setVisionHeads(2)
            .setTextWidth(16).setTextDepth(1).setTextHeads(2).setContextLength(24)
            .setVocabSize(726).setEmbedDim(8).setMlpRatio(2).setTokenizer(VOCAB)))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(suite().toString()).setTask("size").setImageSize(IMAGE)
            .setLayout(SyntheticLayout.COOP))
            .setSampling(SamplingConfig.newBuilder().setShots(8))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(MethodConfig.newBuilder().setMask(mask))
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(8)
            .setOptimizer(tfpeft.config.proto.Optimizer.ADAM).setWeightDecay(0)
            .setLearningRate(3e-3f).setWarmupEpochs(0).setDropPath(0).setLogEverySteps(100))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(0).setTopK(2));
  }

  /** Mask tuning alone, its epoch lines going to {@code log}. */
  static MethodRegistry registry(PrintStream log) {
    return new MethodRegistry().register(MethodConfig.MethodCase.MASK,
        m -> new MaskTuning(m.getMask(), log::println));
  }

  static JsonObject train(RunConfig c, ByteArrayOutputStream log) {
    PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
    return new Trainer(c, "tiny.pbtxt", new Trainer.Options(Trainer.Resume.OVERWRITE, sink,
        false), registry(sink)).run();
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory; the OS cleans up
    }
  }
}
