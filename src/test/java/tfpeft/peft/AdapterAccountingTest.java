package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.VitConfig;

/** Stored adapter size of ViT-B/16 as Pear's Table I reports it (MB = 2^20 bytes). */
class AdapterAccountingTest {
  static final ModelConfig VIT_B16 = ModelConfig.newBuilder()
      .setVit(VitConfig.getDefaultInstance()).build();
  static final LoraConfig BI_LORA = LoraConfig.newBuilder().setRank(32).setBits(1).build();
  static final AdaptFormerConfig BI_ADAPTFORMER = AdaptFormerConfig.newBuilder().setDim(32)
      .setBits(1).build();

  static AdapterAccounting of(MethodConfig m) {
    return AdapterAccounting.of(m, VIT_B16);
  }

  static String mb(AdapterAccounting a) {
    return AdapterStorage.significant(a.storedMegabytes(), 2);
  }

  @Test
  void loraRank8IsOnePointOneThreeMegabytes() {
    AdapterAccounting a = of(MethodConfig.newBuilder().setLora(LoraConfig.newBuilder()
        .setRank(8)).build());
    // 12 blocks x {q, v} x (768 x 8 + 8 x 768) float32
    assertEquals(24, a.positions());
    assertEquals(294_912, a.trainableParameters());
    assertEquals(1_179_648, a.storedBytes());
    assertEquals(1.125, a.storedMegabytes(), 1e-12);
    assertEquals("1.1", mb(a));
  }

  @Test
  void adaptFormerDim8IsZeroPointFiveSix() {
    AdapterAccounting a = of(MethodConfig.newBuilder().setAdaptformer(AdaptFormerConfig
        .newBuilder().setDim(8)).build());
    assertEquals(12, a.positions());
    assertEquals("0.56", mb(a));
  }

  @Test
  void oneBitAdaptersAreAThirtySecondPerWeight() {
    AdapterAccounting lora = of(MethodConfig.newBuilder().setLora(BI_LORA).build());
    // 48 matrices of 24576 bits (3072 bytes) plus mean and std
    assertEquals(48 * (3072 + 8), lora.storedBytes());
    assertEquals("0.14", mb(lora));
    assertEquals("0.07", mb(of(MethodConfig.newBuilder().setAdaptformer(BI_ADAPTFORMER)
        .build())));
  }

  @Test
  void pearKeepsHalfOfTheOneBitAdapters() {
    AdapterAccounting lora = of(MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
        .setLora(BI_LORA)).build());
    assertEquals(24, lora.positions());
    assertEquals(12, lora.storedAdapters());
    assertEquals("0.07", mb(lora));
    AdapterAccounting af = of(MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
        .setAdaptformer(BI_ADAPTFORMER)).build());
    assertEquals(6, af.storedAdapters());
    assertEquals("0.035", mb(af));
    // vanilla pruning stores exactly what Pear stores
    assertEquals(lora.storedBytes(), of(MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
        .setLora(BI_LORA).setShare(false)).build()).storedBytes());
  }

  /**
   * An artifact exported before the prune step holds no plan and every adapter: its accounting
   * counts all 24 one-bit rank-32 LoRA pairs of ViT-B/16, each matrix 768 x 32 bits = 3,072
   * bytes plus its float32 mean and std: 24 x 2 x 3,080 = 147,840 bytes, twice the pruned
   * run's; with a plan it is the pruned run's.
   */
  @Test
  void aPearArtifactBeforeThePruneStepAccountsEveryAdapter() {
    MethodConfig pear = MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
        .setLora(BI_LORA)).build();
    AdapterAccounting before = AdapterAccounting.of(pear, VIT_B16,
        new com.google.gson.JsonObject());
    assertEquals(24, before.storedAdapters());
    assertEquals(147_840, before.storedBytes());
    com.google.gson.JsonObject planned = new com.google.gson.JsonObject();
    planned.add("plan", new com.google.gson.JsonObject());
    assertEquals(of(pear).storedBytes(),
        AdapterAccounting.of(pear, VIT_B16, planned).storedBytes());
    assertEquals(147_840 / 2, of(pear).storedBytes());
  }

  /**
   * BitFit's biases in float32: per block q, k, v, out (4 x 768), fc1 (3072), fc2 (768) and
   * the two LayerNorm betas (2 x 768), 8,448 values; 12 blocks, the patch embedding's bias and
   * the final norm's beta: 102,912 values, 411,648 bytes = 0.3926 MB. Without the LayerNorm
   * betas it would be 0.32 MB and with the pre-logits bias 0.396 MB: Table I's 0.39 counts the
   * encoder's biases with LayerNorm's, as the paper trains them.
   */
  @Test
  void bitFitIsZeroPointThreeNine() {
    AdapterAccounting a = of(MethodConfig.newBuilder().setBitfit(BitFitConfig
        .getDefaultInstance()).build());
    assertEquals(1 + 12 * 8 + 1, a.positions());
    assertEquals(102_912, a.trainableParameters());
    assertEquals(411_648, a.storedBytes());
    assertEquals("0.39", mb(a));
    AdapterAccounting linearOnly = of(MethodConfig.newBuilder().setBitfit(BitFitConfig
        .newBuilder().setLayerNorm(false)).build());
    assertEquals(768 + 12 * (4 * 768 + 3072 + 768), linearOnly.trainableParameters());
    assertEquals("0.32", mb(linearOnly));
    AdapterAccounting preLogits = AdapterAccounting.of(MethodConfig.newBuilder().setBitfit(
        BitFitConfig.newBuilder().setPreLogits(true)).build(), ModelConfig.newBuilder()
        .setVit(VitConfig.newBuilder().setPreLogits(true)).build());
    assertEquals(102_912 + 768, preLogits.trainableParameters());
    assertEquals("0.4", AdapterStorage.significant(preLogits.storedMegabytes(), 2));
  }

  @Test
  void otherMethodsHaveNoAdapters() {
    assertNull(of(MethodConfig.newBuilder().setLinearProbe(LinearProbeConfig
        .getDefaultInstance()).build()));
  }
}
