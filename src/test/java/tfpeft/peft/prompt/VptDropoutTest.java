package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.VptConfig;

/**
 * VPT's prompt dropout: each image's copy of the prompts is dropped (inverted dropout) while the
 * graph's training flag is on, and only then; the mask is keyed by the step seed alone.
 */
class VptDropoutTest {
  static final int N = 3;

  static TinyClip vpt(float dropout) {
    return new TinyClip(net -> VptPrompts.build(net, TinyClip.spec().vision(),
        VptConfig.newBuilder().setLength(N).setDepth(2).setDropout(dropout).build()));
  }

  @Test
  void outsideTrainingTheModelIsTheOneWithoutDropout() {
    try (TinyClip plain = vpt(0f); TinyClip dropped = vpt(0.5f)) {
      assertArrayEquals(plain.run(plain.logits), dropped.run(dropped.logits), 0f);
      assertFalse(Arrays.equals(plain.run(List.of(plain.logits), true, 7).get(0),
          dropped.run(List.of(dropped.logits), true, 7).get(0)), "dropout did nothing");
      // with dropout 0 the training flag changes nothing
      assertArrayEquals(plain.run(plain.logits), plain.run(List.of(plain.logits), true, 7)
          .get(0), 0f);
    }
  }

  @Test
  void eachImageKeepsOrDropsEachPromptValueScaledByOneOverKeep() {
    try (TinyClip m = vpt(0.5f)) {
      float[] prompts = m.read("peft/vpt/prompts");
      int width = TinyClip.spec().vision().blocks().width();
      // the embeddings with the layer-0 prompts appended: class token + 4 patches + N prompts
      int length = 5 + N;
      float[] tokens = m.run(List.of(m.after.at("embed")), true, 3).get(0);
      int dropped = 0;
      float[][] rows = new float[TinyClip.IMAGES][];
      for (int image = 0; image < TinyClip.IMAGES; image++) {
        rows[image] = new float[N * width];
        for (int j = 0; j < N; j++) {
          float[] got = TinyClip.token(tokens, length, width, image, 5 + j);
          float[] p = TinyClip.prompt(prompts, N, width, 0, j);
          for (int k = 0; k < width; k++) {
            assertTrue(got[k] == 0f || Math.abs(got[k] - 2 * p[k]) < 1e-6f,
                "image " + image + " prompt " + j + " value " + k + ": " + got[k]);
            dropped += got[k] == 0f ? 1 : 0;
            rows[image][j * width + k] = got[k];
          }
        }
      }
      int total = TinyClip.IMAGES * N * width;
      assertTrue(dropped > total / 5 && dropped < total * 4 / 5, dropped + " of " + total);
      assertFalse(Arrays.equals(rows[0], rows[1]), "the images share one mask");
    }
  }

  @Test
  void theMaskDependsOnTheStepSeedOnlySoAResumedRunDrawsTheSame() {
    try (TinyClip first = vpt(0.3f); TinyClip rebuilt = vpt(0.3f)) {
      float[] a = first.run(List.of(first.logits), true, 5).get(0);
      assertArrayEquals(a, first.run(List.of(first.logits), true, 5).get(0), 0f);
      assertArrayEquals(a, rebuilt.run(List.of(rebuilt.logits), true, 5).get(0), 0f);
      assertFalse(Arrays.equals(a, first.run(List.of(first.logits), true, 6).get(0)));
    }
  }

  @Test
  void aDropoutRateIsNoLongerRefused() {
    try (TinyClip m = vpt(0.1f)) {
      assertEquals(2 * N * TinyClip.spec().vision().blocks().width(),
          m.read("peft/vpt/prompts").length);
    }
  }
}
