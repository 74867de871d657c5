package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;

/**
 * The closed-form backward rules (LayerNorm, GELU, attention's products) hold nothing of their
 * graph: GradientOverrides keeps its rules per graph weakly, so a rule that captured one of the
 * graph's ops would keep every closed graph, with all its Java-side ops, for the life of the
 * process (a trainer that builds graph after graph: evaluations, suites in one JVM, tests).
 */
class GraphReleaseTest {
  @Test
  void aClosedGraphWithGradientRulesIsCollected() throws InterruptedException {
    WeakReference<Graph> ref = buildAndClose();
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertNull(ref.get(), "the closed graph is still reachable");
  }

  private static WeakReference<Graph> buildAndClose() {
    Graph g = new Graph();
    Net net = new Net(g, 7);
    VitClassifier.Endpoints e = VitClassifier.build(net, MixedPrecisionTest.TINY, 5, false);
    var tf = net.tf();
    var loss = tf.math.mean(tf.math.square(e.logits()), tf.constant(new int[] {0, 1}));
    Output<?>[] xs = net.variables().stream().map(v -> v.value().asOutput())
        .toArray(Output[]::new);
    g.addGradients(loss.asOutput(), xs);
    g.close();
    return new WeakReference<>(g);
  }
}
