package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertClose;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.path;
import static tfpeft.model.imports.ModelFixtures.requested;
import static tfpeft.model.imports.ModelFixtures.runClip;
import static tfpeft.model.imports.ModelFixtures.weights;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.WeightsFormat;

/** The CLIP fixture in both layouts, run by tfpeft's graph against the reference's outputs. */
class ClipImportTest {
  /** The fixture's heads: its width 32 is below OpenAI's 64 per head, so they must be given. */
  static final String HEADS = "clip { vision_heads: 4 text_heads: 4 }";

  @Test
  void openAiLayout() {
    LoadedBackbone b = Backbones.load(weights("clip/openai.safetensors"), requested(HEADS));
    assertEquals(WeightsFormat.OPENAI_CLIP, b.report().format());
    ClipConfig c = b.model().getClip();
    assertEquals(32, c.getImageSize());
    assertEquals(8, c.getPatchSize());
    assertEquals(32, c.getVisionWidth());
    assertEquals(2, c.getVisionDepth());
    assertEquals(4, c.getVisionHeads());
    assertEquals(32, c.getTextWidth());
    assertEquals(2, c.getTextDepth());
    assertEquals(16, c.getContextLength());
    assertEquals(300, c.getVocabSize());
    assertEquals(24, c.getEmbedDim());
    assertEquals(4f, c.getMlpRatio());
    assertEquals(1e-5f, c.getLayerNormEps());
    assertEquals(Gelu.QUICK_GELU, c.getGelu());
    assertTrue(b.report().notes().stream().anyMatch(n -> n.contains("tokenizer")),
        b.report().notes().toString());
    ModelFixtures.Outputs out = runClip(b);
    assertClose("clip openai image features", out.imageFeatures(), "clip/image_features.npy");
    assertClose("clip openai text features", out.textFeatures(), "clip/text_features.npy");
    assertClose("clip openai logits", out.logits(), "clip/logits.npy");
  }

  @Test
  void openAiHeadsDefaultToWidthOver64AndOtherwiseMustBeGiven() {
    String m = assertUsageError(() -> Backbones.load(weights("clip/openai.safetensors"), null),
        "model.clip.vision_heads", "width / 64", "vision_width 32", "--heads");
    assertTrue(m.contains("openai.safetensors"), m);
    assertUsageError(() -> Backbones.load(weights("clip/openai.safetensors"),
        requested("clip { vision_heads: 4 }")), "model.clip.text_heads", "--text-heads");
    assertUsageError(() -> Backbones.load(weights("clip/openai.safetensors"),
        requested("clip { vision_heads: 5 text_heads: 4 }")), "5 heads do not divide "
        + "vision_width 32");
  }

  @Test
  void huggingFaceClipModel() {
    LoadedBackbone b = Backbones.load(weights("clip/hf"), null);
    assertEquals(WeightsFormat.SAFETENSORS, b.report().format());
    assertEquals(4, b.model().getClip().getVisionHeads());
    assertEquals(4, b.model().getClip().getTextHeads());
    assertEquals(path("clip/hf/vocab.json"), b.vocab());
    assertEquals(2, b.report().dropped().size(), b.report().dropped().toString());
    assertTrue(b.report().dropped().stream().allMatch(n -> n.endsWith("position_ids")));
    ModelFixtures.Outputs out = runClip(b);
    assertClose("clip hf image features", out.imageFeatures(), "clip/image_features.npy");
    assertClose("clip hf text features", out.textFeatures(), "clip/text_features.npy");
    assertClose("clip hf logits", out.logits(), "clip/logits.npy");
  }

  @Test
  void configuredHeadsMustAgreeWithConfigJson() {
    assertUsageError(() -> Backbones.load(weights("clip/hf"),
        requested("clip { vision_heads: 8 }")), "model.clip.vision_heads", "have 4",
        "asks for 8");
  }
}
