package tfpeft.peft.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.LoraConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.TinyModels;
import tfpeft.peft.quant.GaussianQuantizer;

/** LoRA as a site hook: placement, the low-rank path, B = 0, and the merge. */
class LoraSiteTest {
  static final LoraConfig R2 = LoraConfig.newBuilder().setRank(2).setScale(0.5f).build();

  static void addLora(Net net, LoraConfig c) {
    net.addHook(LoraSite.of(c, new AdapterBank("peft/lora/", LoraSite.shape(c))));
  }

  @Test
  void withBZeroTheModelIsTheBaseModel() {
    float[] base = TinyModels.logits(3, net -> {}, (net, s) -> {});
    float[] lora = TinyModels.logits(3, net -> addLora(net, R2), (net, s) -> {
      // B starts at zero; A is random, so only B keeps the path silent
      assertTrue(java.util.Arrays.stream(box(VariableValues.read(s,
          net.variable("peft/lora/block0/attn/q/lora_a")))).anyMatch(v -> v != 0));
    });
    assertArrayEquals(base, lora, 0f);
  }

  @Test
  void attachesToQueryAndValueOfEveryBlockByDefault() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      addLora(net, R2);
      tfpeft.model.VitClassifier.build(net, TinyModels.VIT, 3, false);
      List<String> names = net.variables("peft/").stream().map(ModelVariable::name).toList();
      assertEquals(List.of("peft/lora/block0/attn/q/lora_a", "peft/lora/block0/attn/q/lora_b",
          "peft/lora/block0/attn/v/lora_a", "peft/lora/block0/attn/v/lora_b",
          "peft/lora/block1/attn/q/lora_a", "peft/lora/block1/attn/q/lora_b",
          "peft/lora/block1/attn/v/lora_a", "peft/lora/block1/attn/v/lora_b"), names);
      assertEquals(List.of(8L, 2L), List.of(net.variable("peft/lora/block0/attn/q/lora_a")
          .shape().asArray()[0], net.variable("peft/lora/block0/attn/q/lora_a").shape()
          .asArray()[1]));
    }
  }

  @Test
  void targetsAreGlobsOverSiteNames() {
    LoraConfig mlp = R2.toBuilder().addTargets("block1/mlp/fc?").build();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      addLora(net, mlp);
      tfpeft.model.VitClassifier.build(net, TinyModels.VIT, 3, false);
      List<String> names = net.variables("peft/").stream().map(ModelVariable::name).toList();
      assertEquals(List.of("peft/lora/block1/mlp/fc1/lora_a", "peft/lora/block1/mlp/fc1/lora_b",
          "peft/lora/block1/mlp/fc2/lora_a", "peft/lora/block1/mlp/fc2/lora_b"), names);
      assertFalse(LoraSite.targets(R2).matches("text/block0/attn/q"));
    }
  }

  @Test
  void thePathAddsScaleTimesXAB() {
    // x [1, 2] at a 2 -> 3 site: y = x W + s x A B with W = 0 (the Linear's output fed as zeros)
    float[] x = {1, -2};
    float[] a = {0.5f, 1, -1, 2}; // [2, 2]
    float[] b = {1, 0, 3, -1, 2, 0}; // [2, 3]
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      LoraSite site = LoraSite.of(R2.toBuilder().addTargets("fc").build(),
          new AdapterBank("peft/lora/", LoraSite.shape(R2)));
      Operand<TFloat32> in = net.tf().constant(Shape.of(1, 2), DataBuffers.of(x));
      Operand<TFloat32> zero = net.tf().constant(Shape.of(1, 3), DataBuffers.of(new float[3]));
      Operand<TFloat32> y = site.linearOutput(net, "fc", in, zero);
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_a"), a);
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_b"), b);
        // x A = [1*0.5 - 2*(-1), 1*1 - 2*2] = [2.5, -3]; (x A) B = [2.5+3, 0-6, 7.5] 
        assertArrayEquals(new float[] {0.5f * 5.5f, 0.5f * -6f, 0.5f * 7.5f}, fetch(s, y), 1e-6f);
      }
    }
  }

  @Test
  void mergedLoraEqualsUnmerged() {
    float[][] merged = new float[1][];
    Map<String, float[]>[] trained = new Map[1];
    float[] unmerged = TinyModels.logits(4, net -> addLora(net, R2), (net, s) -> {
      for (ModelVariable v : net.variables("peft/")) {
        VariableValues.assign(s, v, TinyModels.noise((int) v.size(), v.name().hashCode(), 0.5f));
      }
      trained[0] = TinyModels.values(net, s);
    });
    float[] fromMerged = TinyModels.logits(4, net -> {}, (net, s) -> {
      for (String site : List.of("block0/attn/q", "block0/attn/v", "block1/attn/q",
          "block1/attn/v")) {
        ModelVariable w = net.variable("backbone/" + site + "/weight");
        float[] m = LoraMerge.merged(trained[0].get(w.name()),
            trained[0].get("peft/lora/" + site + "/lora_a"),
            trained[0].get("peft/lora/" + site + "/lora_b"), 8, 2, 8, 0.5f);
        VariableValues.assign(s, w, m);
      }
    });
    assertArrayEquals(unmerged, fromMerged, 1e-5f);
    merged[0] = fromMerged;
  }

  @Test
  void oneBitLoraComputesWithTheQuantizedMatrices() {
    LoraConfig bits = R2.toBuilder().setBits(1).build();
    Map<String, float[]>[] trained = new Map[1];
    float[] oneBit = TinyModels.logits(4, net -> addLora(net, bits),
        (net, s) -> trained[0] = TinyModels.values(net, s));
    float[] fromMerged = TinyModels.logits(4, net -> {}, (net, s) -> {
      for (String site : List.of("block0/attn/q", "block0/attn/v", "block1/attn/q",
          "block1/attn/v")) {
        ModelVariable w = net.variable("backbone/" + site + "/weight");
        float[] a = GaussianQuantizer.unpack(GaussianQuantizer.pack(
            trained[0].get("peft/lora/" + site + "/lora_a")));
        float[] b = GaussianQuantizer.unpack(GaussianQuantizer.pack(
            trained[0].get("peft/lora/" + site + "/lora_b")));
        VariableValues.assign(s, w, LoraMerge.merged(trained[0].get(w.name()), a, b, 8, 2, 8,
            0.5f));
      }
    });
    assertArrayEquals(oneBit, fromMerged, 1e-5f);
  }

  @Test
  void dropoutActsOnlyWhileTrainingAndFollowsTheStepSeed() {
    LoraConfig dropped = R2.toBuilder().setDropout(0.5f).addTargets("fc").build();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      LoraSite site = LoraSite.of(dropped, new AdapterBank("peft/lora/", LoraSite.shape(R2)));
      float[] ones = new float[64];
      java.util.Arrays.fill(ones, 1f);
      Operand<TFloat32> in = net.tf().constant(Shape.of(32, 2), DataBuffers.of(ones));
      Operand<TFloat32> zero = net.tf().zeros(net.tf().constant(new int[] {32, 2}),
          TFloat32.class);
      Operand<TFloat32> y = site.linearOutput(net, "fc", in, zero);
      try (Session s = new Session(g)) {
        s.initialize();
        // A = I, B = I: the output is s * dropout(x)
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_a"), new float[] {1, 0, 0, 1});
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_b"), new float[] {1, 0, 0, 1});
        float[] eval = fetch(s, y);
        for (float v : eval) {
          assertEquals(0.5f, v, 0f);
        }
        float[] train1 = fetchTraining(s, net, y, 7);
        float[] train2 = fetchTraining(s, net, y, 7);
        float[] train3 = fetchTraining(s, net, y, 8);
        assertArrayEquals(train1, train2, 0f);
        assertFalse(java.util.Arrays.equals(train1, train3));
        int zeros = 0;
        for (float v : train1) {
          assertTrue(v == 0f || v == 1f, "kept values are scaled by 1/(1-p): " + v);
          zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 10 && zeros < 54, zeros + " of 64 dropped");
      }
    }
  }

  @Test
  void hiddenDropoutActsBetweenAAndBWhileTraining() {
    // x = [1, 0], A = [[1, 1], [0, 0]], B = [[1], [1]]: x A = [1, 1] and s (x A) B = 0.5 * 2.
    // Dropout on x A (p = 0.5, kept units doubled) gives 0.5 * {0, 2, 4}: the middle value 1
    // needs exactly one of the two hidden units dropped, which dropout on x cannot do ({0, 2}).
    LoraConfig hidden = R2.toBuilder().setHiddenDropout(0.5f).addTargets("fc").build();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      LoraSite site = LoraSite.of(hidden, new AdapterBank("peft/lora/", LoraSite.shape(
          R2.toBuilder().setRank(2).build())));
      float[] x = new float[64];
      for (int i = 0; i < 32; i++) {
        x[2 * i] = 1;
      }
      Operand<TFloat32> in = net.tf().constant(Shape.of(32, 2), DataBuffers.of(x));
      Operand<TFloat32> zero = net.tf().zeros(net.tf().constant(new int[] {32, 1}),
          TFloat32.class);
      Operand<TFloat32> y = site.linearOutput(net, "fc", in, zero);
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_a"), new float[] {1, 1, 0, 0});
        VariableValues.assign(s, net.variable("peft/lora/fc/lora_b"), new float[] {1, 1});
        for (float v : fetch(s, y)) {
          assertEquals(1f, v, 0f, "no dropout outside training");
        }
        int[] counts = new int[3];
        for (float v : fetchTraining(s, net, y, 7)) {
          assertTrue(v == 0f || v == 1f || v == 2f, "0.5 * (x A) B with units dropped: " + v);
          counts[(int) v]++;
        }
        assertTrue(counts[0] > 0 && counts[1] > 0 && counts[2] > 0,
            java.util.Arrays.toString(counts));
      }
    }
  }

  static float[] fetchTraining(Session s, Net net, Operand<TFloat32> y, long step) {
    try (TInt64 seed = TInt64.vectorOf(step, 0); TFloat32 on = TFloat32.scalarOf(1f);
        var out = s.runner().feed(net.stepSeed(), seed)
            .feed(net.training(), on).fetch(y).run()) {
      return read((TFloat32) out.get(0));
    }
  }

  static float[] fetch(Session s, Operand<TFloat32> y) {
    try (TInt64 seed = TInt64.vectorOf(1, 0);
        var out = s.runner().feed("control/step_seed", seed).fetch(y).run()) {
      return read((TFloat32) out.get(0));
    }
  }

  static float[] read(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(v);
    return v;
  }

  static Float[] box(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
