package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.ExportConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.baseline.LinearProbe;

/**
 * What every registered method answers for the commands, each by itself: whether it needs CLIP,
 * whether an adapter artifact holds it and how each kind of variable is stored, whether it has
 * a storage accounting, and what export folds. A registered method without a case here fails.
 */
class MethodAnswersTest {
  /** One method's expected answers, for {@code variable}, one of the variables it trains. */
  record Case(MethodConfig config, boolean needsClip, boolean artifact, String variable,
      String role, boolean accounting, String folding) {}

  static final RunConfig MERGE = RunConfig.newBuilder()
      .setExport(ExportConfig.newBuilder().setMergeLora(true)).build();

  static Map<MethodConfig.MethodCase, Case> cases() {
    Map<MethodConfig.MethodCase, Case> c = new EnumMap<>(MethodConfig.MethodCase.class);
    c.put(MethodConfig.MethodCase.FULL_FINETUNE, new Case(config(MethodConfig.MethodCase
        .FULL_FINETUNE), false, false, null, null, false, "nothing to fold"));
    c.put(MethodConfig.MethodCase.LINEAR_PROBE, new Case(config(MethodConfig.MethodCase
        .LINEAR_PROBE), false, true, "head/w", "head", false, "nothing to fold"));
    c.put(MethodConfig.MethodCase.ZERO_SHOT, new Case(config(MethodConfig.MethodCase.ZERO_SHOT),
        true, false, null, null, false, "nothing to fold"));
    c.put(MethodConfig.MethodCase.LORA, new Case(config(MethodConfig.MethodCase.LORA), false,
        true, "peft/lora/block0/attn/q/lora_a", "adapter", true,
        "LoRA merged into the weights"));
    c.put(MethodConfig.MethodCase.ADAPTFORMER, new Case(config(MethodConfig.MethodCase
        .ADAPTFORMER), false, true, "peft/adaptformer/block0/mlp/down", "adapter", true,
        "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.PEAR, new Case(MethodConfig.newBuilder().setPear(PearConfig
        .newBuilder().setLora(LoraConfig.getDefaultInstance())).build(), false, true,
        "peft/pear/block0/attn/q/lora_a", "adapter", true, "LoRA merged into the weights"));
    c.put(MethodConfig.MethodCase.MASK, new Case(config(MethodConfig.MethodCase.MASK), true,
        true, "peft/mask/block0/attn/q/mask", "mask", false,
        "folded into the weights, its hooks left out"));
    c.put(MethodConfig.MethodCase.COOP, new Case(config(MethodConfig.MethodCase.COOP), true,
        true, "peft/coop/context", "prompt", false, "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.VPT, new Case(config(MethodConfig.MethodCase.VPT), false,
        true, "peft/vpt/prompts", "adapter", true, "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.MUDPT, new Case(config(MethodConfig.MethodCase.MUDPT), true,
        true, "peft/mudpt/injection/w", "injection", false,
        "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.TIP_ADAPTER, new Case(config(MethodConfig.MethodCase
        .TIP_ADAPTER), true, false, null, null, false, "nothing to fold"));
    c.put(MethodConfig.MethodCase.BITFIT, new Case(config(MethodConfig.MethodCase.BITFIT),
        false, true, "backbone/block0/attn/q/bias", "adapter", true,
        "trained biases in the backbone, served as the plain backbone"));
    c.put(MethodConfig.MethodCase.ADAPTERP, new Case(config(MethodConfig.MethodCase.ADAPTERP),
        false, true, "peft/adapterp/block0/mlp/up", "adapter", true,
        "its hooks kept in the served graph (the adapter's ReLU cannot fold into a weight)"));
    c.put(MethodConfig.MethodCase.SSF, new Case(config(MethodConfig.MethodCase.SSF), false,
        true, "peft/ssf/block0/attn/q/scale", "adapter", true,
        "scales and shifts folded into the weights, served as the plain backbone"));
    c.put(MethodConfig.MethodCase.FACT, new Case(config(MethodConfig.MethodCase.FACT), false,
        true, "peft/fact/u", "adapter", true, "FacT increments folded into the weights"));
    c.put(MethodConfig.MethodCase.COMPACTER, new Case(config(MethodConfig.MethodCase.COMPACTER),
        false, true, "peft/compacter/phm_rule", "adapter", true,
        "its hooks kept in the served graph (the adapter's GELU cannot fold into a weight)"));
    c.put(MethodConfig.MethodCase.FOURIERFT, new Case(config(MethodConfig.MethodCase.FOURIERFT),
        false, true, "peft/fourierft/block0/attn/q/spectrum", "adapter", true,
        "FourierFT's updates folded into the weights"));
    c.put(MethodConfig.MethodCase.MORA, new Case(config(MethodConfig.MethodCase.MORA), false,
        true, "peft/mora/block0/attn/q/m", "adapter", true, "MoRA's updates folded into the"
        + " weights"));
    c.put(MethodConfig.MethodCase.KGCOOP, new Case(config(MethodConfig.MethodCase.KGCOOP),
        true, true, "peft/kgcoop/ctx", "prompt", false, "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.PROGRAD, new Case(config(MethodConfig.MethodCase.PROGRAD),
        true, true, "peft/coop/ctx", "prompt", false, "its hooks kept in the served graph"));
    c.put(MethodConfig.MethodCase.COCOOP, new Case(config(MethodConfig.MethodCase.COCOOP), true,
        true, "peft/cocoop/meta_net/linear1/weight", "prompt", false,
        "the context and meta-net kept in the served graph"));
    c.put(MethodConfig.MethodCase.CLIP_ADAPTER, new Case(config(MethodConfig.MethodCase
        .CLIP_ADAPTER), true, true, "peft/clip_adapter/visual/fc1", "adapter", false,
        "its hooks kept in the served graph (the adapter's ReLUs cannot fold into a weight)"));
    c.put(MethodConfig.MethodCase.TIP_ADAPTER_F, new Case(config(MethodConfig.MethodCase
        .TIP_ADAPTER_F), true, true, "peft/tip_adapter_f/keys", "adapter", false,
        "its cache (trained keys, fixed values) kept in the served graph"));
    return c;
  }

  static MethodConfig config(MethodConfig.MethodCase kind) {
    return MethodRegistry.defaultConfig(kind);
  }

  @Test
  void everyRegisteredMethodHasACase() {
    Map<MethodConfig.MethodCase, Case> cases = cases();
    for (MethodConfig.MethodCase kind : MethodRegistry.builtIn().all().keySet()) {
      assertTrue(cases.containsKey(kind), "method." + MethodRegistry.nameOf(kind)
          + " is registered but has no case in " + getClass().getSimpleName());
    }
  }

  @Test
  void everyMethodAnswersAsItsCaseSays() {
    for (Case c : cases().values()) {
      Method m = MethodRegistry.builtIn().create(c.config());
      String name = m.name();
      assertEquals(c.needsClip(), m.needsClip(), name + " needsClip");
      assertEquals(c.artifact(), m.artifactRefusal().isEmpty(), name + " artifact");
      if (c.artifact()) {
        assertEquals(c.role(), m.stored(c.variable()).role().key(), name + " role");
      }
      assertEquals(c.accounting(), m.accounting(ModelConfig.newBuilder().setVit(TinyModels.VIT).build(), null).isPresent(),
          name + " accounting");
      assertEquals(c.folding(), m.foldingDescription(MERGE), name + " folding");
    }
  }

  @Test
  void aHeadIsStoredInFloat32ByEveryMethodThatKeepsOne() {
    for (MethodConfig.MethodCase kind : List.of(MethodConfig.MethodCase.LORA,
        MethodConfig.MethodCase.ADAPTFORMER, MethodConfig.MethodCase.MASK,
        MethodConfig.MethodCase.VPT, MethodConfig.MethodCase.LINEAR_PROBE)) {
      StoredTensor s = MethodRegistry.builtIn().create(config(kind)).stored("head/w");
      assertEquals(StoredTensor.float32(StoredTensor.Role.HEAD), s, kind.name());
    }
  }

  @Test
  void oneBitAdaptersAreStoredAsBits() {
    Method lora = MethodRegistry.builtIn().create(MethodConfig.newBuilder().setLora(LoraConfig
        .newBuilder().setBits(1)).build());
    assertEquals(StoredTensor.Precision.ONE_BIT,
        lora.stored("peft/lora/block0/attn/q/lora_a").precision());
    Method pear = MethodRegistry.builtIn().create(MethodConfig.newBuilder().setPear(PearConfig
        .newBuilder().setAdaptformer(AdaptFormerConfig.newBuilder().setBits(1))).build());
    assertEquals(StoredTensor.Precision.ONE_BIT,
        pear.stored("peft/pear/block0/mlp/down").precision());
  }

  @Test
  void aFactoryThatMakesAnotherMethodIsRefusedAtRegistration() {
    MethodRegistry r = new MethodRegistry();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> r.register(MethodConfig.MethodCase.FULL_FINETUNE, c -> new LinearProbe()));
    assertTrue(e.getMessage().contains("full_finetune"), e.getMessage());
  }
}
