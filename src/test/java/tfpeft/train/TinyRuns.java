package tfpeft.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PipelineConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;

/**
 * A tiny synthetic suite (16 x 16 images, the shape task, 56 training and 28 test images),
 * generated once per test JVM, and run configs for a tiny ViT on it that train in a second.
 */
public final class TinyRuns {
  public static final int IMAGE = 16;
  private static Path suite;

  private TinyRuns() {}

  public static synchronized Path suite() {
    if (suite == null) {
      try {
        Path dir = Files.createTempDirectory("tfpeft-tiny-suite");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        SyntheticSuite.generate(dir, SyntheticOptions.builder().seed(0).imageSize(IMAGE)
            .pretrainCount(0).trainPerTask(48).valPerTask(8).testPerTask(28)
            .tasks(List.of("shape")).build(), (s, d, t) -> {});
        suite = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return suite;
  }

  /** Linear probe of a one-block ViT, 2 epochs of batch 16, writing under {@code out}. */
  public static RunConfig.Builder config(Path out) {
    return RunConfig.newBuilder().setName("tiny").setOutputDir(out.toString()).setSeed(3)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setWidth(16).setDepth(1).setHeads(2).setMlpRatio(2)))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(suite().toString()).setTask("shape").setImageSize(IMAGE))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(MethodConfig.newBuilder().setFullFinetune(
            tfpeft.config.proto.FullFinetuneConfig.getDefaultInstance()))
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(16)
            .setLearningRate(3e-3f).setWarmupEpochs(1).setDropPath(0.1f)
            .setLogEverySteps(2))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
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
