package tfpeft.peft.kgcoop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.KgDistance;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodReference;

/** KgCoOp's term against tools/make_coop_fixtures.py (the paper's and the official formula). */
class KnowledgeGuidanceTest {
  static final TensorFile FIXTURE = MethodReference.of("kgcoop_loss.npz").tensors();

  @Test
  void squaredL2IsThePapersMeanSquaredDistanceOfTheNormalizedFeatures() {
    assertEquals(FIXTURE.get("squared_l2").data()[0], distance(KgDistance.SQUARED_L2),
        MethodReference.TOLERANCE);
  }

  @Test
  void oneMinusCosIsTheOfficialCodesTerm() {
    assertEquals(FIXTURE.get("one_minus_cos").data()[0], distance(KgDistance.ONE_MINUS_COS),
        MethodReference.TOLERANCE);
  }

  private static float distance(KgDistance kind) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> d = KnowledgeGuidance.distance(tf, constant(tf, "learned"),
          constant(tf, "hand_crafted"), kind);
      try (TFloat32 v = (TFloat32) s.runner().fetch(d).run().get(0)) {
        return v.getFloat();
      }
    }
  }

  private static Operand<TFloat32> constant(Ops tf, String name) {
    NamedTensor t = FIXTURE.get(name);
    return tf.constant(Shape.of(t.shape()), DataBuffers.of(t.data()));
  }
}
