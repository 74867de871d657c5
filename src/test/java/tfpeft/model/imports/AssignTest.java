package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.weights;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.Init;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/** LoadedBackbone.assignTo: what it fills, what it leaves, and when it refuses. */
class AssignTest {
  /** Builds {@code model} with a {@code classes}-way head, assigns {@code b}, runs {@code check}. */
  private static void withNet(LoadedBackbone b, ModelConfig model, int classes,
      Consumer<Run> check) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      BuiltModel.build(net, model, classes, false);
      net.variable("peft/lora/block0/attn/q/a", new long[] {32, 2}, new Init.Constant(0.5f));
      try (Session s = new Session(g)) {
        s.initialize();
        check.accept(new Run(net, s));
      }
    }
  }

  private record Run(Net net, Session s) {
    float[] read(String name) {
      return VariableValues.read(s, net.variable(name));
    }
  }

  @Test
  void assignsTheBackboneAndAMatchingHeadAndLeavesPeftAlone() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    withNet(b, b.model(), 5, r -> {
      b.assignTo(r.s(), r.net());
      assertArrayEquals(b.tensors().get("backbone/block1/mlp/fc2/weight"),
          r.read("backbone/block1/mlp/fc2/weight"));
      assertArrayEquals(b.tensors().get("head/head/weight"), r.read("head/head/weight"));
      float[] lora = r.read("peft/lora/block0/attn/q/a");
      assertArrayEquals(filled(64, 0.5f), lora);
    });
  }

  @Test
  void aHeadForOtherClassesKeepsItsInitialization() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    withNet(b, b.model(), 3, r -> {
      float[] before = r.read("head/head/weight");
      b.assignTo(r.s(), r.net());
      assertArrayEquals(before, r.read("head/head/weight"));
      assertArrayEquals(b.tensors().get("backbone/norm/gamma"), r.read("backbone/norm/gamma"));
    });
  }

  @Test
  void aMissingVariableIsNamedAndNothingIsAssigned() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    Map<String, float[]> fewer = new LinkedHashMap<>(b.tensors());
    fewer.remove("backbone/block0/attn/v/bias");
    LoadedBackbone partial = new LoadedBackbone(b.model(), fewer, b.shapes(), null, b.report());
    withNet(b, b.model(), 5, r -> {
      float[] before = r.read("backbone/cls_token");
      assertUsageError(() -> partial.assignTo(r.s(), r.net()), "google.npz",
          "no weights for 1 (backbone/block0/attn/v/bias [32])");
      assertArrayEquals(before, r.read("backbone/cls_token"));
    });
  }

  @Test
  void aShapeMismatchIsNamed() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    ModelConfig bigger = b.model().toBuilder()
        .setVit(b.model().getVit().toBuilder().setImageSize(48)).build();
    withNet(b, bigger, 5, r -> assertUsageError(() -> b.assignTo(r.s(), r.net()),
        "backbone/pos_embed has shape [17, 32] in the weights but [37, 32] in the model"));
  }

  @Test
  void weightsTheModelLacksAreNamed() {
    LoadedBackbone b = Backbones.load(weights("vit_pre/google.npz"), null);
    ModelConfig without = b.model().toBuilder()
        .setVit(b.model().getVit().toBuilder().setPreLogits(false)).build();
    withNet(b, without, 5, r -> {
      String m = assertUsageError(() -> b.assignTo(r.s(), r.net()),
          "weights for variables the model lacks: 2 (backbone/pre_logits/weight, "
              + "backbone/pre_logits/bias)");
      assertFalse(m.contains("no weights for"), m);
    });
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
