package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.VptConfig;
import tfpeft.config.proto.VptInit;

/** VPT's prompts start as VPT's code draws them, or from N(0, 0.02^2) as an option. */
class VptInitTest {
  /** The tiny image tower: patch 4, width 8. */
  static final double XAVIER_LIMIT = Math.sqrt(6.0 / (3 * 4 * 4 + 8));

  static float[] prompts(VptConfig c) {
    try (TinyClip m = new TinyClip(net -> VptPrompts.build(net, TinyClip.spec().vision(), c))) {
      return m.read("peft/vpt/prompts");
    }
  }

  static double maxAbs(float[] v) {
    double max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    return max;
  }

  @Test
  void promptsAreUniformOverVptsXavierRangeOfPatchSizeAndWidth() {
    // VPT: uniform in +-sqrt(6 / (3 p^2 + D)), here +-0.327 (48 draws)
    float[] p = prompts(VptConfig.newBuilder().setLength(3).setDepth(2).build());
    assertTrue(maxAbs(p) <= XAVIER_LIMIT, "within the range: " + maxAbs(p));
    assertTrue(maxAbs(p) > 0.8 * XAVIER_LIMIT, "spread over the range: " + maxAbs(p));
  }

  @Test
  void theNormalOptionDrawsWithStd002() {
    float[] p = prompts(VptConfig.newBuilder().setLength(3).setDepth(2)
        .setInit(VptInit.NORMAL).build());
    double sq = 0;
    for (float x : p) {
      sq += x * x;
    }
    double std = Math.sqrt(sq / p.length);
    assertTrue(std > 0.01 && std < 0.03, "std " + std);
  }
}
