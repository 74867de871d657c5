package tfpeft.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.TinyModels;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.quant.GaussianQuantizer;
import tfpeft.peft.quant.QuantizedMatrix;

/** The stored encodings: what each keeps, and the values that restore a variable from them. */
class ArtifactTensorTest {
  @Test
  void aOneBitMatrixIsItsBitsMeanAndStdAndItsLatentQuantizesBackToThem() {
    float[] w = TinyModels.noise(37, 4, 0.3f);
    ArtifactTensor t = ArtifactTensor.bits1("m", new long[] {37}, "adapter", w);
    assertEquals(5 + 8, t.storedBytes());
    QuantizedMatrix stored = GaussianQuantizer.pack(w);
    float[] latent = t.variableValues(StoredTensor.adapter(1));
    QuantizedMatrix again = GaussianQuantizer.pack(latent);
    assertArrayEquals(stored.bits(), again.bits());
    assertEquals(stored.mean(), again.mean(), 1e-7);
    assertEquals(stored.std(), again.std(), 1e-7);
    float[] want = GaussianQuantizer.unpack(stored);
    float[] got = GaussianQuantizer.unpack(again);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-6, "element " + i);
    }
  }

  @Test
  void aMaskIsOneBitPerWeightAndRestoresOnTheRightSideOfTheThreshold() {
    MaskConfig c = MaskConfig.getDefaultInstance();
    float[] m = {0.02f, 0.001f, 0.0051f, 0.005f, -1f, 0.3f, 0.01f, 0.0049f, 0.2f};
    ArtifactTensor t = ArtifactTensor.mask("peft/mask/x/mask", new long[] {3, 3}, m,
        c.getThreshold());
    assertEquals(2, t.storedBytes());
    assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1, 1, 0, 1}, t.effective());
    assertArrayEquals(new float[] {0.01f, 0, 0.01f, 0, 0, 0.01f, 0.01f, 0, 0.01f},
        t.variableValues(StoredTensor.mask(c.getThreshold(), c.getInit())));
  }

  @Test
  void float32KeepsTheValuesBitForBit() {
    float[] v = {1.5f, -0f, Float.MIN_VALUE, 3.4e38f};
    ArtifactTensor t = ArtifactTensor.float32("p", new long[] {2, 2}, "prompt", v);
    assertEquals(16, t.storedBytes());
    assertArrayEquals(v, t.effective());
  }

  @Test
  void theFirstDifferingMethodFieldIsNamed() {
    MethodConfig a = MethodConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(8))
        .build();
    MethodConfig b = MethodConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(8)
        .setScale(1)).build();
    assertNull(MethodConfigDiff.first(a, b), "an unset field is its default");
    MethodConfigDiff.Difference d = MethodConfigDiff.first(a, MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(8).setBits(1)).build());
    assertEquals("method.lora.bits", d.field());
    assertEquals("0", d.left());
    assertEquals("1", d.right());
    assertEquals("method", MethodConfigDiff.first(a, MethodConfig.newBuilder().setCoop(
        tfpeft.config.proto.CoopConfig.getDefaultInstance()).build()).field());
  }
}
