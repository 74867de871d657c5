package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/** The masks' L2 term and the distillation loss, with their gradients, by hand. */
class MaskObjectiveTest {
  static float[] read(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Test
  void theL2TermIsTheCoefficientTimesTheSumOfNormsWithGradientMOverItsNorm() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      ModelVariable m1 = net.variable("peft/mask/a/mask", new long[] {2, 2}, Init.zeros());
      ModelVariable m2 = net.variable("peft/mask/b/mask", new long[] {1}, Init.zeros());
      Operand<TFloat32> l2 = MaskObjective.l2(net.tf(), List.of(m1, m2), 0.5f);
      Output<?>[] grad = g.addGradients(l2.asOutput(), new Output<?>[] {m1.value().asOutput(),
          m2.value().asOutput()});
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, m1, new float[] {3, 0, 0, 4});
        VariableValues.assign(s, m2, new float[] {-2});
        try (var r = s.runner().fetch(l2).fetch(grad[0]).fetch(grad[1]).run()) {
          // 0.5 * (5 + 2)
          assertEquals(3.5f, ((TFloat32) r.get(0)).getFloat(), 1e-6f);
          assertArrayEquals(new float[] {0.3f, 0, 0, 0.4f}, read((TFloat32) r.get(1)), 1e-6f);
          assertArrayEquals(new float[] {-0.5f}, read((TFloat32) r.get(2)), 1e-6f);
        }
      }
    }
  }

  @Test
  void theQueryKeyAndValueMasksOfABlockTakeOneNormAsTheOfficialFusedInProjMask() {
    // the official code masks CLIP's fused in_proj_weight [3D, D] with one mask: one norm over q,
    // k and v; the output projection keeps its own
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      List<ModelVariable> masks = List.of(
          net.variable("peft/mask/block0/attn/q/mask", new long[] {2}, Init.zeros()),
          net.variable("peft/mask/block0/attn/k/mask", new long[] {2}, Init.zeros()),
          net.variable("peft/mask/block0/attn/v/mask", new long[] {2}, Init.zeros()),
          net.variable("peft/mask/block0/attn/out/mask", new long[] {1}, Init.zeros()),
          net.variable("peft/mask/text/block0/attn/q/mask", new long[] {1}, Init.zeros()));
      Operand<TFloat32> l2 = MaskObjective.l2(net.tf(), masks, 1f);
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, masks.get(0), new float[] {1, 2});
        VariableValues.assign(s, masks.get(1), new float[] {0, 2});
        VariableValues.assign(s, masks.get(2), new float[] {4, 0});
        VariableValues.assign(s, masks.get(3), new float[] {-3});
        VariableValues.assign(s, masks.get(4), new float[] {2});
        try (var r = s.runner().fetch(l2).run()) {
          // sqrt(1 + 4 + 4 + 16) + 3 + 2 (the text tower's block is another block)
          assertEquals(5f + 3f + 2f, ((TFloat32) r.get(0)).getFloat(), 1e-6f);
        }
      }
    }
  }

  @Test
  void distillationIsTheSoftCrossEntropyToTheTeacherWithGradientTheSoftmaxDifference() {
    float[] student = {1f, 2f, 0f, -1f, 0.5f, 0.5f};
    float[] teacher = {0f, 1f, 3f, 2f, 2f, -2f};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> s = tf.constant(Shape.of(2, 3), DataBuffers.of(student));
      Operand<TFloat32> t = tf.constant(Shape.of(2, 3), DataBuffers.of(teacher));
      Operand<TFloat32> loss = MaskObjective.distillation(tf, s, t, 1f);
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {s.asOutput()});
      double expected = 0;
      float[] expectedGrad = new float[6];
      for (int n = 0; n < 2; n++) {
        double[] ps = softmax(student, n);
        double[] pt = softmax(teacher, n);
        for (int c = 0; c < 3; c++) {
          expected -= pt[c] * Math.log(ps[c]) / 2;
          expectedGrad[3 * n + c] = (float) ((ps[c] - pt[c]) / 2);
        }
      }
      try (Session sess = new Session(g);
          var r = sess.runner().fetch(loss).fetch(grad[0]).run()) {
        assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-6);
        assertArrayEquals(expectedGrad, read((TFloat32) r.get(1)), 1e-6f);
      }
    }
  }

  static double[] softmax(float[] logits, int row) {
    double[] e = new double[3];
    double sum = 0;
    for (int c = 0; c < 3; c++) {
      e[c] = Math.exp(logits[3 * row + c]);
      sum += e[c];
    }
    for (int c = 0; c < 3; c++) {
      e[c] /= sum;
    }
    return e;
  }
}
