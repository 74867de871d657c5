package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static tfpeft.peft.prompt.TinyClip.prompt;
import static tfpeft.peft.prompt.TinyClip.token;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.VptConfig;

/**
 * Prompts land where the methods put them: text context at positions 1..n of every class
 * prompt, visual prompts after the patch tokens; layer i's prompts where the tokens enter block
 * i for i &lt; L; from block L on the tokens flow on untouched.
 */
class TokenPositionsTest {
  static final int TEXT_WIDTH = 12;
  static final int VISION_WIDTH = 8;
  static final int CTX = 12;
  /** Class and patch tokens of the tiny image tower. */
  static final int IMAGE_TOKENS = 5;

  @Test
  void textContextReplacesPositionsOneToNAtTheEmbeddingsAndEachBlockBelowDepth() {
    int n = 2;
    try (TinyClip m = new TinyClip(net -> CoopPrompts.build(net, TinyClip.spec(),
        CoopConfig.newBuilder().setNCtx(n).setDepth(2).build(), TinyClip.tokenizer(), null))) {
      float[] ctx = m.mark("peft/coop/ctx");
      String[] sites = {"text/token_embed", "text/block0/in", "text/block1/in", "text/block2/in"};
      List<float[]> before = m.run(Arrays.stream(sites).map(m.before::at).toList());
      List<float[]> after = m.run(Arrays.stream(sites).map(m.after::at).toList());
      for (int row = 0; row < TinyClip.CLASSES.size(); row++) {
        for (int j = 0; j < CTX; j++) {
          boolean slot = j >= 1 && j <= n;
          // layer 0 at the token embeddings
          assertArrayEquals(slot ? prompt(ctx, n, TEXT_WIDTH, 0, j - 1)
              : token(before.get(0), CTX, TEXT_WIDTH, row, j),
              token(after.get(0), CTX, TEXT_WIDTH, row, j), "embeddings, token " + j);
          // layer 1 where the tokens enter block 1
          assertArrayEquals(slot ? prompt(ctx, n, TEXT_WIDTH, 1, j - 1)
              : token(before.get(2), CTX, TEXT_WIDTH, row, j),
              token(after.get(2), CTX, TEXT_WIDTH, row, j), "block 1, token " + j);
        }
      }
      // block 0 already has layer 0 (with positions added); block 2 is past the depth
      assertArrayEquals(before.get(1), after.get(1));
      assertArrayEquals(before.get(3), after.get(3));
      assertFalse(Arrays.equals(prompt(ctx, n, TEXT_WIDTH, 1, 0),
          token(after.get(3), CTX, TEXT_WIDTH, 0, 1)), "what block 1 made flows on");
    }
  }

  @Test
  void visualPromptsAreAppendedBeforeTheFirstBlockAndReplacedBelowDepth() {
    int n = 3;
    try (TinyClip m = new TinyClip(net -> VptPrompts.build(net, TinyClip.spec().vision(),
        VptConfig.newBuilder().setLength(n).setDepth(2).build()))) {
      float[] p = m.mark("peft/vpt/prompts");
      String[] sites = {"embed", "block0/in", "block1/in", "block2/in"};
      List<float[]> before = m.run(Arrays.stream(sites).map(m.before::at).toList());
      List<float[]> after = m.run(Arrays.stream(sites).map(m.after::at).toList());
      int t = IMAGE_TOKENS;
      assertEquals(TinyClip.IMAGES * t * VISION_WIDTH, before.get(0).length);
      assertEquals(TinyClip.IMAGES * (t + n) * VISION_WIDTH, after.get(0).length);
      for (int row = 0; row < TinyClip.IMAGES; row++) {
        for (int j = 0; j < t + n; j++) {
          boolean slot = j >= t;
          assertArrayEquals(slot ? prompt(p, n, VISION_WIDTH, 0, j - t)
              : token(before.get(0), t, VISION_WIDTH, row, j),
              token(after.get(0), t + n, VISION_WIDTH, row, j), "embed, token " + j);
          assertArrayEquals(slot ? prompt(p, n, VISION_WIDTH, 1, j - t)
              : token(before.get(2), t + n, VISION_WIDTH, row, j),
              token(after.get(2), t + n, VISION_WIDTH, row, j), "block 1, token " + j);
        }
      }
      assertArrayEquals(before.get(1), after.get(1));
      assertArrayEquals(before.get(3), after.get(3));
      assertEquals(TinyClip.IMAGES * (t + n) * VISION_WIDTH, after.get(3).length,
          "the prompts are carried through every block");
    }
  }

  @Test
  void mudptLeavesTheFirstLayerOfTextPromptsUnfused() {
    int n = 2;
    for (InjectionKind kind : List.of(InjectionKind.ATTENTION, InjectionKind.LINEAR)) {
      try (TinyClip m = new TinyClip(net -> MudptPrompts.build(net, TinyClip.spec(),
          MudptConfig.newBuilder().setLength(n).setDepth(2).setInit("").setInjection(kind)
              .build(), TinyClip.tokenizer(), null))) {
        float[] t = m.read("peft/mudpt/text_prompts");
        float[] got = m.run(m.after.at("text/token_embed"));
        for (int row = 0; row < TinyClip.CLASSES.size(); row++) {
          for (int j = 0; j < n; j++) {
            // Eq. 8/10: T_hat_0 = T_0, so the phrase that starts T_0 reaches the text tower
            assertArrayEquals(prompt(t, n, TEXT_WIDTH, 0, j),
                token(got, CTX, TEXT_WIDTH, row, 1 + j), kind + ", prompt " + j);
          }
        }
      }
    }
  }

  @Test
  void mudptLinearInjectionIsTheAuthorsThreeLinears() {
    int n = 2;
    int depth = 3;
    try (TinyClip m = new TinyClip(net -> MudptPrompts.build(net, TinyClip.spec(),
        MudptConfig.newBuilder().setLength(n).setDepth(depth).setInit("")
            .setInjection(InjectionKind.LINEAR).build(), TinyClip.tokenizer(), null))) {
      String p = "peft/mudpt/injection/";
      assertEquals(List.of(p + "t2v/layer0/weight", p + "t2v/layer0/bias", p + "t2v/deep/weight",
          p + "t2v/deep/bias", p + "v2t/deep/weight", p + "v2t/deep/bias"),
          m.net.variables(p).stream().map(v -> v.name()).sorted(TokenPositionsTest::byRole)
              .toList());
      float[] t = m.read("peft/mudpt/text_prompts");
      float[] v = m.read("peft/mudpt/visual_prompts");
      float[] firstW = m.read(p + "t2v/layer0/weight");
      float[] firstB = m.mark(p + "t2v/layer0/bias");
      float[] t2vW = m.read(p + "t2v/deep/weight");
      float[] t2vB = m.mark(p + "t2v/deep/bias");
      float[] v2tW = m.read(p + "v2t/deep/weight");
      float[] v2tB = m.mark(p + "v2t/deep/bias");
      List<float[]> got = m.run(List.of(m.after.at("embed"), m.after.at("text/block1/in"),
          m.after.at("text/block2/in"), m.after.at("block1/in"), m.after.at("block2/in")));
      for (int j = 0; j < n; j++) {
        // V_hat_0 = V_0 + T_0 W_layer0 + b_layer0
        assertArrayEquals(add(prompt(v, n, VISION_WIDTH, 0, j), affine(prompt(t, n,
            TEXT_WIDTH, 0, j), firstW, firstB, 0, TEXT_WIDTH, VISION_WIDTH)),
            token(got.get(0), IMAGE_TOKENS + n, VISION_WIDTH, 0, IMAGE_TOKENS + j), 1e-3f);
        for (int layer = 1; layer < depth; layer++) {
          // T_hat_i = T_i + V_i W_v2t + b_v2t, one map for every deeper layer
          assertArrayEquals(add(prompt(t, n, TEXT_WIDTH, layer, j), affine(prompt(v, n,
              VISION_WIDTH, layer, j), v2tW, v2tB, 0, VISION_WIDTH, TEXT_WIDTH)),
              token(got.get(layer), CTX, TEXT_WIDTH, 0, 1 + j), 1e-3f);
          // V_hat_i = V_i + T_i W_t2v + b_t2v
          assertArrayEquals(add(prompt(v, n, VISION_WIDTH, layer, j), affine(prompt(t, n,
              TEXT_WIDTH, layer, j), t2vW, t2vB, 0, TEXT_WIDTH, VISION_WIDTH)),
              token(got.get(2 + layer), IMAGE_TOKENS + n, VISION_WIDTH, 0, IMAGE_TOKENS + j),
              1e-3f);
        }
      }
    }
  }

  /** t2v before v2t, layer0 before deep, weight before bias. */
  private static int byRole(String a, String b) {
    return key(a).compareTo(key(b));
  }

  private static String key(String name) {
    return (name.contains("t2v") ? "0" : "1") + (name.contains("layer0") ? "0" : "1")
        + (name.endsWith("weight") ? "0" : "1");
  }

  @Test
  void oneWayCouplingMakesTheVisualPromptsALinearMapOfTheTextPrompts() {
    int n = 2;
    try (TinyClip m = new TinyClip(net -> MudptPrompts.build(net, TinyClip.spec(),
        MudptConfig.newBuilder().setLength(n).setDepth(2).setInit("")
            .setInjection(InjectionKind.ONE_WAY).build(), TinyClip.tokenizer(), null))) {
      assertFalse(m.net.variables("peft/mudpt/visual_prompts").iterator().hasNext());
      float[] t = m.read("peft/mudpt/text_prompts");
      float[] w = m.read("peft/mudpt/injection/t2v/per_layer/weight");
      float[] b = m.mark("peft/mudpt/injection/t2v/per_layer/bias");
      List<float[]> got = m.run(List.of(m.after.at("text/token_embed"), m.after.at("embed")));
      for (int j = 0; j < n; j++) {
        assertArrayEquals(prompt(t, n, TEXT_WIDTH, 0, j),
            token(got.get(0), CTX, TEXT_WIDTH, 0, 1 + j), "text prompts are not coupled");
        assertArrayEquals(affine(prompt(t, n, TEXT_WIDTH, 0, j), w, b, 0, TEXT_WIDTH,
            VISION_WIDTH), token(got.get(1), IMAGE_TOKENS + n, VISION_WIDTH, 0,
            IMAGE_TOKENS + j), 1e-3f);
      }
    }
  }

  /** x W[layer] + b[layer] with W [L, in, out] and b [L, 1, out] flattened. */
  static float[] affine(float[] x, float[] w, float[] b, int layer, int in, int out) {
    float[] y = new float[out];
    for (int o = 0; o < out; o++) {
      double s = b[layer * out + o];
      for (int i = 0; i < in; i++) {
        s += x[i] * w[(layer * in + i) * out + o];
      }
      y[o] = (float) s;
    }
    return y;
  }

  static float[] add(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }
}
