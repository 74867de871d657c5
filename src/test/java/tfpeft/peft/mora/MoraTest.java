package tfpeft.peft.mora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.MoraConfig;
import tfpeft.config.proto.MoraOperator;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.TinyModels;

/** What MoRA sizes and checks beyond the battery and the torch reference. */
class MoraTest {
  @Test
  void rHatOnVitB16IsTheOfficialRoundingMadeEvenForRotation() {
    // sqrt((768 + 768) 8) = 110.85: int(110.85 + 0.5) = 111, even 110
    assertEquals(110, MoraOperators.rHat(768, 768, 8, MoraOperator.ROTATION));
    assertEquals(111, MoraOperators.rHat(768, 768, 8, MoraOperator.SHARING));
  }

  @Test
  void anRHatWiderThanTheInputIsAnErrorAtRank() {
    // the tiny ViT's q is 8 -> 8: rank 8 gives int(sqrt(128) + 0.5) = 11, even 10 > 8
    RunConfig run = RunConfig.newBuilder().setModel(ModelConfig.newBuilder()
        .setVit(TinyModels.VIT)).setMethod(MethodConfig.newBuilder().setMora(MoraConfig
        .newBuilder().setRank(8))).build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> MethodRegistry.builtIn()
        .create(run.getMethod()).checkConfig(run, (path, message) ->
            new IllegalArgumentException(path + ": " + message)));
    assertTrue(e.getMessage().startsWith("method.mora.rank: rank 8 gives r_hat = 10 on"
        + " block0/attn/q"), e.getMessage());
  }

  @Test
  void sharingSumsTheWrappedChunks() {
    // in 5, r 3: the padded input x0 x1 x2 x3 x4 x0 sums to (x0 + x3, x1 + x4, x2 + x0)
    assertArrayEquals(new float[] {
        1, 0, 1,
        0, 1, 0,
        0, 0, 1,
        1, 0, 0,
        0, 1, 0}, MoraOperators.sharing(5, 3));
  }

  @Test
  void rotationLeavesTheFirstChunkAsItIsAndRotatesTheWrappedOne() {
    // in 3, r 2: chunks (x0, x1) at angle 0 and (x2, x0) at angle 1 (theta_0 = 1):
    // (x2 cos 1 - x0 sin 1, x0 cos 1 + x2 sin 1)
    float c = (float) Math.cos(1);
    float s = (float) Math.sin(1);
    assertArrayEquals(new float[] {
        1, 0, -s, c,
        0, 1, 0, 0,
        0, 0, c, s}, MoraOperators.rotation(3, 2), 1e-7f);
  }
}
