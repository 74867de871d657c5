package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MaskGradientRule;
import tfpeft.train.TinyRuns;

/** The gradient rules of R-AMT's Table 5 as options of mask tuning, on a tiny CLIP. */
class MaskGradientRulesTest {
  @TempDir static Path out;
  /** Plain mask tuning's masks, trained once for the tests that compare with them. */
  private static Map<String, float[]> plain;

  @Test
  void withoutAGradientRuleTheOlderFlagChoosesIt() {
    assertEquals(MaskGradientRule.GRADIENT_DROPOUT, MaskTuning.rule(
        MaskConfig.getDefaultInstance()));
    assertEquals(MaskGradientRule.PLAIN_GRADIENT, MaskTuning.rule(
        MaskConfig.newBuilder().setGradientDropout(false).build()));
  }

  @Test
  void aNamedRuleWinsOverTheOlderFlag() {
    // a resolved config has gradient_dropout set (to its default true) whatever was written
    assertEquals(MaskGradientRule.AGREEMENT, MaskTuning.rule(MaskConfig.newBuilder()
        .setGradientDropout(true).setGradientRule(MaskGradientRule.AGREEMENT).build()));
    assertEquals(MaskGradientRule.GRADIENT_DROPOUT, MaskTuning.rule(MaskConfig.newBuilder()
        .setGradientDropout(false).setGradientRule(MaskGradientRule.GRADIENT_DROPOUT).build()));
  }

  @Test
  void theProjectionWithLambdaZeroTrainsExactlyAsPlainMaskTuning() throws Exception {
    Map<String, float[]> plain = plain();
    Map<String, float[]> none = masks("lambda0", MaskConfig.newBuilder()
        .setGradientRule(MaskGradientRule.PROJECTION).setProjectionLambda(0).build());
    assertEquals(plain.keySet(), none.keySet());
    for (String k : plain.keySet()) {
      assertArrayEquals(plain.get(k), none.get(k), 0f, k);
    }
  }

  @Test
  void theProjectionChangesWhatTheMasksLearn() throws Exception {
    assertTrue(differ(plain(),
        masks("projection", MaskConfig.newBuilder()
            .setGradientRule(MaskGradientRule.PROJECTION).build())),
        "the projection changed no mask");
  }

  @Test
  void theAgreementRuleChangesWhatTheMasksLearn() throws Exception {
    assertTrue(differ(plain(),
        masks("agreement", MaskConfig.newBuilder()
            .setGradientRule(MaskGradientRule.AGREEMENT).build())),
        "dropping the conflicting elements changed no mask");
  }

  private static Map<String, float[]> plain() throws Exception {
    if (plain == null) {
      plain = masks("plain", MaskConfig.newBuilder()
          .setGradientRule(MaskGradientRule.PLAIN_GRADIENT).build());
    }
    return plain;
  }

  private static Map<String, float[]> masks(String name, MaskConfig c) throws Exception {
    MaskTuningTest.train(TinyRuns.maskClip(out.resolve(name), c).build(),
        new ByteArrayOutputStream());
    return MaskTuningTest.tensors(out.resolve(name).resolve("tiny"), "peft/mask/");
  }

  private static boolean differ(Map<String, float[]> a, Map<String, float[]> b) {
    for (String k : a.keySet()) {
      if (!Arrays.equals(a.get(k), b.get(k))) {
        return true;
      }
    }
    return false;
  }
}
