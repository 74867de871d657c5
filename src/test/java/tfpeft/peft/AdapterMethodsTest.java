package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;
import tfpeft.peft.pear.PearMethod;

/** LoRA, AdaptFormer and Pear as the trainer sees them: registry, what trains, export. */
class AdapterMethodsTest {
  static RunConfig run(MethodConfig m) {
    return RunConfig.newBuilder().setModel(ModelConfig.newBuilder().setVit(TinyModels.VIT))
        .setMethod(m).build();
  }

  static final MethodConfig LORA = MethodConfig.newBuilder().setLora(LoraConfig.newBuilder()
      .setRank(2).setScale(0.5f)).build();
  static final MethodConfig PEAR = MethodConfig.newBuilder().setPear(PearConfig.newBuilder()
      .setLora(LoraConfig.newBuilder().setRank(2).setScale(0.5f)).setWarmupEpochs(1)).build();

  /** The method's graph on the tiny ViT, adapters randomized; logits before and after export. */
  static float[][] exportRoundTrip(MethodConfig m, List<String> silenced) {
    Method method = MethodRegistry.builtIn().create(m);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 9);
      MethodContext ctx = new MethodContext(run(m), net, List.of("a", "b", "c"));
      for (SiteHook h : method.hooks(ctx)) {
        net.addHook(h);
      }
      VitClassifier.Endpoints e = VitClassifier.build(net, TinyModels.VIT, 3, false);
      method.afterBuild(ctx);
      s.initialize();
      for (ModelVariable v : net.variables("peft/")) {
        if (!v.name().contains("/state/")) {
          VariableValues.assign(s, v, TinyModels.noise((int) v.size(), v.name().hashCode(),
              0.5f));
        }
      }
      float[] before = TinyModels.run(net, s, e.logits(), e.images());
      method.exportTransform(new ExportContext(ctx.config(), net, s));
      float[] after = TinyModels.run(net, s, e.logits(), e.images());
      for (String name : silenced) {
        float[] b = VariableValues.read(s, net.variable(name));
        assertArrayEquals(new float[b.length], b, 0f, name + " is zero after merging");
      }
      return new float[][] {before, after};
    }
  }

  @Test
  void exportMergesOneBitLoraAsStored() {
    MethodConfig bits = LORA.toBuilder().setLora(LORA.getLora().toBuilder().setBits(1)).build();
    float[][] v = exportRoundTrip(bits, List.of("peft/lora/block1/attn/v/lora_b"));
    assertArrayEquals(v[0], v[1], 1e-5f);
  }

  @Test
  void loraTargetsMatchingNothingAreAConfigError() {
    MethodConfig none = MethodConfig.newBuilder().setLora(LoraConfig.newBuilder()
        .addTargets("block*/attn/qq")).build();
    TfpeftException e = assertThrows(TfpeftException.class, () -> exportRoundTrip(none,
        List.of()));
    assertTrue(e.getMessage().startsWith("method.lora.targets"), e.getMessage());
  }

  @Test
  void pearTrainsEveryPositionDuringWarmUpAndTheKeptOnesAfter() {
    PearMethod m = (PearMethod) MethodRegistry.builtIn().create(PEAR);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 9);
      MethodContext ctx = new MethodContext(run(PEAR), net, List.of("a", "b"));
      for (SiteHook h : m.hooks(ctx)) {
        net.addHook(h);
      }
      VitClassifier.build(net, TinyModels.VIT, 2, false);
      assertEquals(List.of("peft/pear/block0/attn/q/", "peft/pear/block0/attn/v/",
          "peft/pear/block1/attn/q/", "peft/pear/block1/attn/v/", "head/"),
          m.trainablePrefixes(ctx));
      s.initialize();
      m.pear().loadImportance(s, new double[] {1, 4, 3, 2});
      assertEquals(EpochOutcome.TRAINABLE_CHANGED, m.afterEpoch(new EpochContext(1, 3, 10, net,
          s)));
      assertEquals(List.of("peft/pear/block0/attn/v/", "peft/pear/block1/attn/q/", "head/"),
          m.trainablePrefixes(ctx));
      assertEquals(EpochOutcome.UNCHANGED, m.afterEpoch(new EpochContext(2, 3, 20, net, s)));
      assertTrue(m.saveState().has("plan"));
    }
  }
}
