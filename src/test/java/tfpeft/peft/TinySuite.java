package tfpeft.peft;

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
 * A tiny synthetic suite (16 x 16 images of the shape task), generated once per test JVM, and
 * run configs of a two-block ViT on it that train in seconds.
 */
public final class TinySuite {
  static final int IMAGE = 16;
  private static Path suite;

  private TinySuite() {}

  public static synchronized Path suite() {
    if (suite == null) {
      try {
        Path dir = Files.createTempDirectory("tfpeft-adapters-suite");
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

  /** {@code method} on a two-block ViT (q, v of width 16), 3 epochs of batch 16. */
  public static RunConfig.Builder config(Path out, String name, MethodConfig method) {
    return RunConfig.newBuilder().setName(name).setOutputDir(out.toString()).setSeed(3)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setWidth(16).setDepth(2).setHeads(2).setMlpRatio(2)))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(suite().toString()).setTask("shape").setImageSize(IMAGE))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(method)
        .setTraining(TrainingConfig.newBuilder().setEpochs(3).setBatchSize(16)
            .setLearningRate(1e-2f).setWarmupEpochs(1).setDropPath(0.1f)
            .setKeepCheckpoints(5).setLogEverySteps(2))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  public static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  public static void deleteTree(Path dir) {
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
