package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.VitConfig;

class VitClassifierTest {
  static final VitConfig TINY = VitConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setWidth(8).setDepth(2).setHeads(2).setMlpRatio(2).build();

  @Test
  void logitsHaveOneRowPerImageAndOneColumnPerClass() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      VitClassifier.Endpoints e = VitClassifier.build(net, TINY, 5, true);
      try (Session s = new Session(g)) {
        s.initialize();
        float[] px = new float[3 * 8 * 8 * 3];
        for (int i = 0; i < px.length; i++) {
          px[i] = (i % 17) / 17f;
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(3, 8, 8, 3), DataBuffers.of(px));
            TFloat32 rate = TFloat32.scalarOf(0f);
            TInt64 seed = TInt64.vectorOf(1, 2);
            var out = s.runner().feed(e.images(), images).feed(net.dropPathRate(), rate)
                .feed(net.stepSeed(), seed).fetch(e.logits()).run()) {
          Tensor logits = out.get(0);
          assertEquals(Shape.of(3, 5), logits.shape());
        }
      }
    }
  }

  @Test
  void aGradientReachesEveryVariable() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      VitClassifier.Endpoints e = VitClassifier.build(net, TINY, 5, true);
      Ops tf = net.tf();
      var loss = tf.math.mean(tf.math.square(e.logits()), tf.constant(new int[] {0, 1}));
      List<ModelVariable> vars = net.variables();
      Output<?>[] xs = vars.stream().map(v -> v.value().asOutput()).toArray(Output[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
      assertEquals(vars.size(), grads.length);
      for (int i = 0; i < grads.length; i++) {
        assertNotNull(grads[i], vars.get(i).name());
      }
      assertTrue(vars.stream().anyMatch(v -> v.name().equals("backbone/block1/attn/q/weight")));
      assertTrue(vars.stream().anyMatch(v -> v.name().equals("head/head/weight")));
    }
  }
}
