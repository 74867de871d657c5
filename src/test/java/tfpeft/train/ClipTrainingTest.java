package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.ClassSubset;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.ZeroShotConfig;

/**
 * CLIP under the baselines: zero-shot only evaluates, full fine-tuning trains both towers
 * through the class-prompt classifier, a linear probe trains a head on the image features.
 */
class ClipTrainingTest {
  @TempDir Path out;

  /** A one-block CLIP at random initialization with the shipped small CLIP's vocabulary. */
  static RunConfig.Builder clip(Path out, MethodConfig method) {
    RunConfig.Builder b = TrainerTest.oneStep(out).setMethod(method);
    b.setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder()
        .setImageSize(TinyRuns.IMAGE).setPatchSize(4).setVisionWidth(16).setVisionDepth(1)
        .setVisionHeads(2).setTextWidth(16).setTextDepth(1).setTextHeads(2)
        .setContextLength(16).setVocabSize(726).setEmbedDim(16).setMlpRatio(2)
        .setTokenizer("checkpoints/pretrained/clip-small")));
    return b;
  }

  @Test
  void zeroShotTrainsNothingAndEvaluates() {
    RunConfig c = clip(out, MethodConfig.newBuilder().setZeroShot(
        ZeroShotConfig.getDefaultInstance()).build()).build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject report = TrainerTest.train(c, Trainer.Resume.AUTO, log);
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("method.zero_shot trains nothing"),
        log.toString());
    assertEquals(28, report.getAsJsonObject("test").get("images").getAsInt());
    assertEquals(0, report.getAsJsonObject("parameters").get("trainable").getAsLong());
    assertTrue(TrainerTest.store(out).list().isEmpty());
  }

  @Test
  void fullFinetuningTrainsTheTextTowerThroughTheClassPrompts() throws Exception {
    RunConfig c = clip(out, MethodConfig.newBuilder().setFullFinetune(
        tfpeft.config.proto.FullFinetuneConfig.getDefaultInstance()).build()).build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    Map<String, float[]> before = TrainerTest.initialValues(c);
    Map<String, float[]> after = TrainerTest.checkpointValues(TrainerTest.store(out).latest()
        .get());
    long text = before.keySet().stream().filter(n -> n.startsWith("backbone/text/")).count();
    assertTrue(text > 10);
    for (String n : before.keySet()) {
      if (n.equals("backbone/text/token_embedding")) {
        continue; // only the rows of tokens the prompts use change
      }
      assertFalse(java.util.Arrays.equals(before.get(n), after.get(n)), n);
    }
  }

  @Test
  void aLinearProbeOnClipTrainsAHeadOnTheImageFeatures() throws Exception {
    RunConfig c = clip(out, MethodConfig.newBuilder().setLinearProbe(
        LinearProbeConfig.getDefaultInstance()).build()).build();
    JsonObject report = TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    JsonObject groups = report.getAsJsonObject("parameters").getAsJsonObject("groups");
    assertEquals(16 * 7 + 7, groups.getAsJsonObject("head").get("trainable").getAsLong());
    assertEquals(0, groups.getAsJsonObject("backbone").get("trainable").getAsLong());
  }

  @Test
  void baseToNewReportsBothAndTheirHarmonicMean() {
    RunConfig.Builder b = clip(out, MethodConfig.newBuilder().setZeroShot(
        ZeroShotConfig.getDefaultInstance()).build());
    b.getDataBuilder().getSamplingBuilder().setClasses(ClassSubset.BASE);
    b.getEvalBuilder().setBaseToNew(true);
    JsonObject report = TrainerTest.train(b.build(), Trainer.Resume.AUTO,
        new ByteArrayOutputStream());
    JsonObject b2n = report.getAsJsonObject("base_to_new");
    // shape: 7 classes, 4 base (circle, square, triangle, star) and 3 new
    assertEquals(4, report.getAsJsonObject("test").getAsJsonArray("classes").size());
    assertEquals(3, b2n.getAsJsonObject("new_test").getAsJsonArray("classes").size());
    assertEquals(EvalMetrics.harmonicMean(b2n.get("base").getAsDouble(),
        b2n.get("new").getAsDouble()), b2n.get("harmonic_mean").getAsDouble(), 1e-12);
  }
}
