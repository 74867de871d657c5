package tfpeft.peft.adaptformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.TinyModels;

/** AdaptFormer's parallel bottleneck branch. */
class AdaptFormerBranchTest {
  static final AdaptFormerConfig DIM2 = AdaptFormerConfig.newBuilder().setDim(2).setScale(0.1f)
      .build();

  static void add(Net net, AdaptFormerConfig c) {
    net.addHook(AdaptFormerBranch.of(c, new AdapterBank("peft/adaptformer/",
        AdaptFormerBranch.shape(c))));
  }

  @Test
  void withUpZeroTheModelIsTheBaseModel() {
    float[] base = TinyModels.logits(3, net -> {}, (net, s) -> {});
    float[] adapted = TinyModels.logits(3, net -> add(net, DIM2), (net, s) -> {});
    assertArrayEquals(base, adapted, 0f);
  }

  @Test
  void oneBranchPerVisionBlockWithoutBiases() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      add(net, DIM2);
      tfpeft.model.VitClassifier.build(net, TinyModels.VIT, 3, false);
      List<String> names = net.variables("peft/").stream().map(ModelVariable::name).toList();
      assertEquals(List.of("peft/adaptformer/block0/mlp/down", "peft/adaptformer/block0/mlp/up",
          "peft/adaptformer/block1/mlp/down", "peft/adaptformer/block1/mlp/up"), names);
    }
  }

  @Test
  void branchAddsScaleTimesUpOfReluOfDownOfTheResidual() {
    float[] x = {1, -1, 2}; // the residual stream before ln2, [1, 3]
    float[] mlp = {0.5f, 0, -0.5f};
    float[] down = {1, 0, 1, -1, 0, 1}; // [3, 2]: x down = [1+2... ] see below
    float[] up = {1, 2, 3, -1, 0, 1}; // [2, 3]
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      AdaptFormerBranch branch = AdaptFormerBranch.of(DIM2.toBuilder().setDropout(0).build(),
          new AdapterBank("peft/adaptformer/", AdaptFormerBranch.shape(DIM2)));
      Operand<TFloat32> y = branch.mlpOutput(net, "block0/mlp",
          net.tf().constant(Shape.of(1, 3), DataBuffers.of(x)),
          net.tf().constant(Shape.of(1, 3), DataBuffers.of(mlp)));
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, net.variable("peft/adaptformer/block0/mlp/down"), down);
        VariableValues.assign(s, net.variable("peft/adaptformer/block0/mlp/up"), up);
        // x down = [1*1 + -1*1 + 2*0, 1*0 + -1*-1 + 2*1] = [0, 3]; relu keeps it;
        // [0, 3] up = [-3, 0, 3]; times 0.1 plus the MLP output
        try (TInt64 seed = TInt64.vectorOf(1, 0);
            var out = s.runner().feed(net.stepSeed(), seed).fetch(y).run()) {
          float[] v = new float[3];
          ((TFloat32) out.get(0)).asRawTensor().data().asFloats().read(v);
          assertArrayEquals(new float[] {0.5f - 0.3f, 0f, -0.5f + 0.3f}, v, 1e-6f);
        }
      }
    }
  }

  @Test
  void leavesTheTextTowerAlone() {
    assertEquals(false, AdaptFormerBranch.TARGETS.matches("text/block0/mlp"));
    assertEquals(true, AdaptFormerBranch.TARGETS.matches("block11/mlp"));
  }
}
