package tfpeft.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.RunConfig;

/** Prompt settings are checked against the backbone's towers when the config loads. */
class PromptConfigTest {
  static final String CLIP = String.join("\n",
      "model {",
      "  clip { image_size: 32 patch_size: 4 vision_width: 96 vision_depth: 4 vision_heads: 4",
      "         text_width: 64 text_depth: 3 text_heads: 4 context_length: 24 vocab_size: 726",
      "         embed_dim: 96 }",
      "}",
      "data { synthetic { task: \"shape\" } }",
      "method { mudpt { length: 2 depth: 3 } }",
      "");

  static RunConfig load(String text, String... overrides) {
    return ConfigLoader.parse(text, "run.pbtxt", List.of(overrides)).resolved();
  }

  static String error(String text, String... overrides) {
    TfpeftException e = assertThrows(TfpeftException.class, () -> load(text, overrides));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    return e.getMessage();
  }

  @Test
  void mudptDefaultsToTheAttentionInjectionWithVisualPrompts() {
    RunConfig c = load(CLIP);
    assertEquals(InjectionKind.ATTENTION, c.getMethod().getMudpt().getInjection());
    assertTrue(c.getMethod().getMudpt().getVisualPrompts());
    assertEquals("a photo of a", c.getMethod().getMudpt().getInit());
  }

  @Test
  void mudptDeeperThanATowerNamesBothFields() {
    String msg = error(CLIP, "method.mudpt.depth=4");
    assertTrue(msg.contains("method.mudpt.depth: 4 exceeds model.clip.text_depth = 3"), msg);
  }

  @Test
  void withoutVisualPromptsOnlyTheTextTowerLimitsTheDepth() {
    load(CLIP, "method.mudpt.visual_prompts=false", "method.mudpt.injection=INDEPENDENT");
    String msg = error(CLIP.replace("text_depth: 3", "text_depth: 6"),
        "method.mudpt.depth=5");
    assertTrue(msg.contains("exceeds model.clip.vision_depth = 4"), msg);
  }

  @Test
  void couplingWithoutVisualPromptsIsRefused() {
    String msg = error(CLIP, "method.mudpt.visual_prompts=false");
    assertTrue(msg.contains("method.mudpt.injection: ATTENTION couples visual prompts"), msg);
  }

  @Test
  void injectionHeadsMustDivideBothWidths() {
    String msg = error(CLIP, "method.mudpt.injection_heads=3");
    assertTrue(msg.contains("method.mudpt.injection_heads: 3 does not divide "
        + "model.clip.text_width = 64"), msg);
  }

  @Test
  void coopAndVptDepthsAreBoundedByTheirTowers() {
    String coop = error(CLIP.replace("mudpt { length: 2 depth: 3 }", "coop { depth: 4 }"));
    assertTrue(coop.contains("method.coop.depth: 4 exceeds model.clip.text_depth = 3"), coop);
    String vpt = error(CLIP.replace("mudpt { length: 2 depth: 3 }", "vpt { depth: 5 }"));
    assertTrue(vpt.contains("method.vpt.depth: 5 exceeds model.clip.vision_depth = 4"), vpt);
  }

  static final String COOP = CLIP.replace("mudpt { length: 2 depth: 3 }",
      "coop { n_ctx: 2 csc: true }");

  @Test
  void aContextPerClassWithBaseToNewIsRefusedAtCsc() {
    String msg = error(COOP, "eval.base_to_new=true");
    assertTrue(msg.contains("method.coop.csc: a context per class has none for the new classes"),
        msg);
  }

  @Test
  void aContextPerClassDeeperThanOneLayerIsRefused() {
    String msg = error(COOP, "method.coop.depth=2");
    assertTrue(msg.contains("method.coop.depth: 2 with method.coop.csc"), msg);
  }

  @Test
  void theNameInFrontDeeperThanOneLayerIsRefused() {
    String msg = error(COOP, "method.coop.csc=false", "method.coop.class_token_position=FRONT",
        "method.coop.depth=2");
    assertTrue(msg.contains("method.coop.depth: 2 with method.coop.class_token_position FRONT"),
        msg);
  }

  @Test
  void theNameInTheMiddleWithGivenTemplatesIsRefused() {
    String msg = error(COOP, "method.coop.class_token_position=MIDDLE",
        "model.clip.templates=a photo of a {}.");
    assertTrue(msg.contains("method.coop.class_token_position: MIDDLE places the context"), msg);
  }

  static final String KGCOOP = CLIP.replace("mudpt { length: 2 depth: 3 }",
      "kgcoop { prompt { n_ctx: 2 } }");

  @Test
  void kgcoopWeighsTheTermByEightAndTakesThePapersDistance() {
    RunConfig c = load(KGCOOP);
    assertEquals(8f, c.getMethod().getKgcoop().getWeight());
    assertEquals(tfpeft.config.proto.KgDistance.SQUARED_L2,
        c.getMethod().getKgcoop().getDistance());
  }

  @Test
  void aNegativeKgcoopWeightNamesTheField() {
    String msg = error(KGCOOP, "method.kgcoop.weight=-1");
    assertTrue(msg.contains("method.kgcoop.weight"), msg);
  }

  @Test
  void kgcoopChecksItsPromptWhereItsConfigHoldsIt() {
    String msg = error(KGCOOP, "method.kgcoop.prompt.csc=true",
        "method.kgcoop.prompt.depth=2");
    assertTrue(msg.contains("method.kgcoop.prompt.depth: 2 with method.kgcoop.prompt.csc"), msg);
  }

  @Test
  void kgcoopOnAVitNeedsClip() {
    String msg = error(String.join("\n", "model { vit { image_size: 32 patch_size: 4 width: 64"
        + " depth: 2 heads: 4 } }", "data { synthetic { task: \"shape\" } }",
        "method { kgcoop { } }", ""));
    assertTrue(msg.contains("method.kgcoop: needs a CLIP backbone"), msg);
  }

  @Test
  void theLogisticRegressionProbeOnAVitNamesTheSolver() {
    String msg = error(String.join("\n", "model { vit { image_size: 32 patch_size: 4 width: 64"
        + " depth: 2 heads: 4 } }", "data { synthetic { task: \"shape\" } }",
        "method { linear_probe { solver: LOGISTIC_REGRESSION } }", ""));
    assertTrue(msg.contains("method.linear_probe.solver: LOGISTIC_REGRESSION is linear-probe "
        + "CLIP"), msg);
  }
}
