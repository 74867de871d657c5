package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;

class SubScopesTest {
  @AfterEach
  void scanAgain() {
    SubScopes.scan = false;
  }

  /** Every op's name, type and inputs, in the order the graph holds them. */
  static List<String> ops(ModelConfig c, boolean scan) {
    SubScopes.scan = scan;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      BuiltModel.build(net, c, 5, true);
      // a scope opened again after more ops were made elsewhere
      net.named("backbone/extra/x").constant(1f);
      List<String> out = new ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        StringBuilder b = new StringBuilder(op.name()).append(' ').append(op.type());
        for (int i = 0; i < op.numInputs(); i++) {
          b.append(' ').append(op.input(i).op().name());
        }
        out.add(b.toString());
      }
      return out;
    }
  }

  @Test
  void thisTensorFlowJavaOpensScopesWithoutTheScan() {
    assertTrue(SubScopes.unscanned(), "TensorFlow Java's scope internals were not found: every"
        + " scope scans the graph");
  }

  @Test
  void aVitIsTheSameGraphAsWithTheScan() {
    ModelConfig c = ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(16)
        .setPatchSize(4).setWidth(8).setDepth(3).setHeads(2).setMlpRatio(2)).build();
    List<String> scanned = ops(c, true);
    assertTrue(scanned.size() > 300, "" + scanned.size());
    assertEquals(scanned, ops(c, false));
  }

  @Test
  void aClipIsTheSameGraphAsWithTheScan() {
    ModelConfig c = ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(16)
        .setPatchSize(8).setVisionWidth(8).setVisionDepth(2).setVisionHeads(2).setTextWidth(8)
        .setTextDepth(2).setTextHeads(2).setContextLength(12).setVocabSize(726).setEmbedDim(4)
        .setMlpRatio(2)).build();
    assertEquals(ops(c, true), ops(c, false));
  }

  @Test
  void aScopeNameUsedTwiceUnderOneParentIsMadeUniqueAsWithSubScopeDoes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops a = SubScopes.open(tf, "a");
      Ops again = SubScopes.open(tf, "a");
      assertEquals("a/c", a.withName("c").constant(1f).op().name());
      assertEquals("a_1/c", again.withName("c").constant(1f).op().name());
      assertEquals("a/b/c", SubScopes.open(a, "b").withName("c").constant(1f).op().name());
    }
  }

  @Test
  void anInvalidScopeNameIsRefusedAsWithSubScopeRefusesIt() {
    try (Graph g = new Graph()) {
      assertThrows(IllegalArgumentException.class, () -> SubScopes.open(Ops.create(g), "a b"));
    }
  }
}
