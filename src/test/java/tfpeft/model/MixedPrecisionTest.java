package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.Precision;
import tfpeft.config.proto.VitConfig;

class MixedPrecisionTest {
  static final VitConfig TINY = VitConfig.newBuilder().setImageSize(16).setPatchSize(4)
      .setWidth(32).setDepth(2).setHeads(2).setMlpRatio(2).build();
  static final int IMAGES = 4;

  /** The tiny ViT's logits [IMAGES * 5] in {@code p}; the same seed gives the same weights. */
  private static float[] logits(Precision p) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      net.precision(p);
      VitClassifier.Endpoints e = VitClassifier.build(net, TINY, 5, false);
      try (Session s = new Session(g)) {
        s.initialize();
        float[] px = new float[IMAGES * 16 * 16 * 3];
        for (int i = 0; i < px.length; i++) {
          px[i] = (float) Math.sin(0.37 * i);
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(IMAGES, 16, 16, 3),
                DataBuffers.of(px));
            TFloat32 rate = TFloat32.scalarOf(0f);
            TInt64 seed = TInt64.vectorOf(1, 2);
            var out = s.runner().feed(e.images(), images).feed(net.dropPathRate(), rate)
                .feed(net.stepSeed(), seed).fetch(e.logits()).run()) {
          float[] v = new float[IMAGES * 5];
          ((TFloat32) out.get(0)).asRawTensor().data().asFloats().read(v);
          return v;
        }
      }
    }
  }

  @Test
  void bf16LogitsAgreeWithFloat32WithinBfloat16Rounding() {
    float[] exact = logits(Precision.FP32);
    float[] low = logits(Precision.BF16);
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < exact.length; i++) {
      scale = Math.max(scale, Math.abs(exact[i]));
      diff = Math.max(diff, Math.abs(exact[i] - low[i]));
    }
    // bfloat16 keeps 8 significant bits: each operand of a product is rounded by at most
    // 2^-9 relative, the sums run in float32. Through 2 blocks (8 products on the residual
    // path, plus the patch embedding) these add to a few 2^-9 (measured: 1.5% = 7.7 x 2^-9);
    // 2^-5 of the largest logit bounds it with room, and float32 noise (1e-7) is far below.
    System.out.printf("tiny ViT: max |FP32 - BF16| logit %.3g of logits up to %.3g%n", diff,
        scale);
    assertTrue(diff <= scale / 32, "max |FP32 - BF16| " + diff + " of logits up to " + scale);
    assertTrue(diff > scale * 1e-5, "BF16 gave the float32 logits: nothing was rounded");
  }

  @Test
  void bf16RunsEveryBackboneProductInBfloat16AndTheHeadInFloat32() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      net.precision(Precision.BF16);
      VitClassifier.build(net, TINY, 5, false);
      List<String> float32Products = new ArrayList<>();
      int bf16Products = 0;
      for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("MatMul") || op.type().equals("Einsum")) {
          if (op.output(0).dataType() == DataType.DT_BFLOAT16) {
            bf16Products++;
          } else {
            float32Products.add(op.name());
          }
        }
      }
      // per block: q, k, v, scores, context (Einsum), out, fc1, fc2; and the patch embedding
      assertEquals(2 * 8 + 1, bf16Products);
      // the head's, the one Linear outside the backbone
      assertEquals(1, float32Products.size(), float32Products.toString());
    }
  }

  @Test
  void fp32BuildsNoCast() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      VitClassifier.build(net, TINY, 5, false);
      for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        assertTrue(!op.type().equals("Cast"), op.name());
      }
    }
  }

  @Test
  void bf16GradientsReachTheFloat32MasterWeightsAsFloat32() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      net.precision(Precision.BF16);
      VitClassifier.Endpoints e = VitClassifier.build(net, TINY, 5, false);
      var tf = net.tf();
      var loss = tf.math.mean(tf.math.square(e.logits()), tf.constant(new int[] {0, 1}));
      List<ModelVariable> vars = net.variables();
      Output<?>[] xs = vars.stream().map(v -> v.value().asOutput()).toArray(Output[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
      for (int i = 0; i < grads.length; i++) {
        assertEquals(DataType.DT_FLOAT, grads[i].dataType(), vars.get(i).name());
      }
    }
  }
}
