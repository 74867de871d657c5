package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MudptConfig;

/** MuDPT with the visual branch and the injection switched off is CoOp with deep text prompts. */
class MudptReductionTest {
  static final int N = 3;
  static final int DEPTH = 2;

  @Test
  void mudptWithoutVisualPromptsAndInjectionIsDeepCoop() {
    float[] prompts;
    float[] coopLogits;
    float[] coopImage;
    try (TinyClip coop = new TinyClip(net -> CoopPrompts.build(net, TinyClip.spec(),
        CoopConfig.newBuilder().setNCtx(N).setDepth(DEPTH).build(), TinyClip.tokenizer(), null))) {
      prompts = coop.read("peft/coop/ctx");
      coopLogits = coop.run(coop.logits);
      coopImage = coop.run(coop.clip.imageFeatures());
    }
    try (TinyClip mudpt = new TinyClip(net -> MudptPrompts.build(net, TinyClip.spec(),
        MudptConfig.newBuilder().setLength(N).setDepth(DEPTH).setInit("")
            .setVisualPrompts(false).setInjection(InjectionKind.INDEPENDENT).build(),
        TinyClip.tokenizer(), null))) {
      assertEquals(1, mudpt.net.variables("peft/").size(), "the text prompts only");
      assertFalse(Arrays.equals(prompts, mudpt.read("peft/mudpt/text_prompts")),
          "the two start differently, so the comparison below is not by chance");
      mudpt.assign("peft/mudpt/text_prompts", prompts);
      assertArrayEquals(coopImage, mudpt.run(mudpt.clip.imageFeatures()));
      assertArrayEquals(coopLogits, mudpt.run(mudpt.logits));
    }
  }
}
