package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;

/** TIP-Adapter on the shipped small CLIP over a tiny synthetic task. */
class TipAdapterRunTest {
  @TempDir Path dir;

  RunConfig config(TipAdapterConfig tip) throws IOException {
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
        .setMethod(MethodConfig.newBuilder().setTipAdapter(tip)).build();
  }

  @Test
  void alphaZeroIsZeroShotAndTheCacheHoldsEveryShot() throws IOException {
    List<String> log = new ArrayList<>();
    RunConfig c = config(TipAdapterConfig.newBuilder().setAlpha(0).setAugmentViews(2).build());
    JsonObject r = TipAdapterRun.run(c, c.getModel(), "tip.pbtxt", log::add);
    assertEquals(r.getAsJsonObject("zero_shot_test").get("top1").getAsDouble(),
        r.getAsJsonObject("test").get("top1").getAsDouble(), 0);
    // 8 colours, 4 shots each
    assertEquals(32, r.get("cache_images").getAsInt());
    assertTrue(Files.isRegularFile(dir.resolve("tip").resolve("report.json")));
  }

  @Test
  void theSearchPicksAlphaAndBetaFromTheGrid() throws IOException {
    RunConfig c = config(TipAdapterConfig.newBuilder().setSearch(true).setSearchAlphaMax(2)
        .setSearchAlphaSteps(4).setSearchBetaMax(4).setSearchBetaSteps(3).setAugmentViews(1)
        .build());
    JsonObject r = TipAdapterRun.run(c, c.getModel(), "tip.pbtxt", s -> {});
    float alpha = r.get("alpha").getAsFloat();
    float beta = r.get("beta").getAsFloat();
    assertTrue(contains(TipSearch.grid(2, 4), alpha), "alpha " + alpha);
    assertTrue(contains(TipSearch.grid(4, 3), beta), "beta " + beta);
    assertTrue(r.has("val_top1"));
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
