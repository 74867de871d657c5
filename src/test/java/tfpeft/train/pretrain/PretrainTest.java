package tfpeft.train.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.model.weights.TensorFile;
import tfpeft.model.weights.WeightFiles;

/** Both pretrainers end to end on a tiny suite: the loss falls and the backbone is written. */
class PretrainTest {
  @TempDir static Path dir;

  @BeforeAll
  static void suite() {
    SyntheticSuite.generate(dir.resolve("suite"), SyntheticOptions.builder().seed(1)
        .imageSize(16).pretrainCount(256).trainPerTask(8).valPerTask(2).testPerTask(24)
        .tasks(List.of("color", "count")).build(), (s, d, t) -> {});
  }

  static TrainingConfig training(int epochs) {
    return TrainingConfig.newBuilder().setEpochs(epochs).setBatchSize(32).setLearningRate(3e-3f)
        .setWeightDecay(0).setWarmupEpochs(0).setSchedulePerStep(true).setDropPath(0).build();
  }

  static double lastLoss(List<String> log) {
    String line = log.stream().filter(l -> l.startsWith("epoch")).reduce((a, b) -> b).get();
    return Double.parseDouble(line.replaceAll(".*loss (\\S+).*", "$1"));
  }

  static double firstLoss(List<String> log) {
    String line = log.stream().filter(l -> l.startsWith("epoch")).findFirst().get();
    return Double.parseDouble(line.replaceAll(".*loss (\\S+).*", "$1"));
  }

  @Test
  void vitPretrainingLowersTheLossAndWritesOnlyTheBackbone() throws Exception {
    Path out = Files.createDirectories(dir.resolve("vit"));
    ModelConfig model = ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(16)
        .setPatchSize(4).setWidth(32).setDepth(2).setHeads(2)).build();
    List<String> log = new ArrayList<>();
    long params = VitPretrainer.run(new PretrainOptions(dir.resolve("suite"), out, model,
        training(4), 1, 2, 0), log::add);
    assertTrue(lastLoss(log) < firstLoss(log), log.toString());
    TensorFile weights = WeightFiles.open(out.resolve(PretrainedBackbone.WEIGHTS));
    assertTrue(weights.names().stream().allMatch(n -> n.startsWith("backbone/")));
    assertEquals(params, weights.elementCount());
    ModelConfig.Builder back = ModelConfig.newBuilder();
    TextFormat.merge(Files.readString(out.resolve(PretrainedBackbone.MODEL)), back);
    assertEquals(model, back.build());
  }

  @Test
  void clipPretrainingWritesItsVocabularyAndZeroShotReport() throws Exception {
    Path out = Files.createDirectories(dir.resolve("clip"));
    ModelConfig model = ModelConfig.newBuilder().setClip(ClipConfig.newBuilder()
        .setImageSize(16).setPatchSize(4).setVisionWidth(32).setVisionDepth(1).setVisionHeads(2)
        .setTextWidth(32).setTextDepth(1).setTextHeads(2).setContextLength(16).setEmbedDim(16))
        .build();
    List<String> log = new ArrayList<>();
    ClipPretrainer.run(new PretrainOptions(dir.resolve("suite"), out, model, training(3), 1, 2,
        50), log::add);
    assertTrue(lastLoss(log) < firstLoss(log), log.toString());
    assertTrue(Files.isRegularFile(out.resolve("vocab.json")));
    assertTrue(Files.isRegularFile(out.resolve("merges.txt")));
    String report = Files.readString(out.resolve("zero_shot.json"));
    assertTrue(report.contains("\"color\"") && report.contains("\"count\""), report);
    assertTrue(log.stream().anyMatch(l -> l.startsWith("zero-shot color")), log.toString());
  }
}
