package tfpeft.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** The one dispatching gradient: each override keeps its own rule, checked numerically. */
class GradientOverridesTest {
  static final Shape FOUR = Shape.of(4);
  static final double[] X = {0.3, -1.7, 2.2, 0.9};

  static Operand<TFloat64> slice(Ops tf, Operand<TFloat64> x, int from, int to) {
    return tf.slice(x, tf.constant(new int[] {from}), tf.constant(new int[] {to - from}));
  }

  @Test
  void numericalCheckAgreesWithTensorFlowOnOrdinaryOps() {
    GradientCheck.Function f = (tf, x) -> tf.math.mul(tf.math.tanh(x), tf.math.square(x));
    double[] analytic = GradientCheck.analytic(FOUR, X, f);
    double[] numeric = GradientCheck.numeric(FOUR, X, f, 1e-5);
    assertTrue(GradientCheck.maxError(analytic, numeric) < 1e-8,
        java.util.Arrays.toString(analytic) + " vs " + java.util.Arrays.toString(numeric));
  }

  @Test
  void straightThroughForwardsTheValueAndPassesTheIdentityGradient() {
    GradientCheck.Function ste = (tf, x) -> GradientOverrides.straightThrough(tf, "sign_ste",
        tf.math.sign(x), x);
    double[] analytic = GradientCheck.analytic(FOUR, X, ste);
    double[] identity = GradientCheck.numeric(FOUR, X, (tf, x) -> x, 1e-5);
    assertTrue(GradientCheck.maxError(analytic, identity) < 1e-9);
    // and the forward value is the sign, bit for bit
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[] {0.3f, -1.7f, 0f, 2f});
      Operand<TFloat32> y = GradientOverrides.straightThrough(tf, "s", tf.math.sign(x), x);
      try (Session s = new Session(g); var r = s.runner().fetch(y).run()) {
        float[] out = new float[4];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
        assertArrayEquals(new float[] {1f, -1f, 0f, 1f}, out);
      }
    }
  }

  @Test
  void twoOverridesInOneGraphEachUseTheirOwnRule() {
    // forward: the identity on both halves; backward: 3 dy on the first half, cos(b) dy on the
    // second, which are the gradients of the surrogate [3a, sin(b)]
    GradientCheck.Function overridden = (tf, x) -> {
      Operand<TFloat64> a = GradientOverrides.identityWithGradient(tf, "times_three",
          slice(tf, x, 0, 2), (ops, in, dy) -> List.of(ops.math.mul(cast(dy.get(0)),
              ops.constant(3.0))));
      Operand<TFloat64> b = GradientOverrides.identityWithGradient(tf, "cosine",
          slice(tf, x, 2, 4), (ops, in, dy) -> List.of(ops.math.mul(cast(dy.get(0)),
              ops.math.cos(cast(in.get(0))))));
      return tf.concat(List.of(a, b), tf.constant(0));
    };
    GradientCheck.Function surrogate = (tf, x) -> tf.concat(List.of(
        tf.math.mul(slice(tf, x, 0, 2), tf.constant(3.0)), tf.math.sin(slice(tf, x, 2, 4))),
        tf.constant(0));
    double[] analytic = GradientCheck.analytic(FOUR, X, overridden);
    double[] numeric = GradientCheck.numeric(FOUR, X, surrogate, 1e-5);
    assertTrue(GradientCheck.maxError(analytic, numeric) < 1e-8,
        java.util.Arrays.toString(analytic) + " vs " + java.util.Arrays.toString(numeric));
    assertEquals(3.0, analytic[0] / GradientCheck.weights(4)[0], 1e-12);
  }

  @Test
  void aRuleOverSeveralInputsGetsEveryOutputsGradient() {
    // outputs (u, v) unchanged; backward swaps the two gradients
    GradientCheck.Function swapped = (tf, x) -> {
      var out = GradientOverrides.override(tf, "swap", List.of(slice(tf, x, 0, 2),
          slice(tf, x, 2, 4)), (ops, in, dy) -> List.of(dy.get(1), dy.get(0)));
      return tf.concat(List.of(cast(out.get(0)), cast(out.get(1))), tf.constant(0));
    };
    GradientCheck.Function reference = (tf, x) -> tf.concat(List.of(slice(tf, x, 2, 4),
        slice(tf, x, 0, 2)), tf.constant(0));
    double[] analytic = GradientCheck.analytic(FOUR, X, swapped);
    double[] numeric = GradientCheck.numeric(FOUR, X, reference, 1e-5);
    assertTrue(GradientCheck.maxError(analytic, numeric) < 1e-9);
  }

  @Test
  void anUnusedOutputContributesZeroGradient() {
    GradientCheck.Function firstOnly = (tf, x) -> cast(GradientOverrides.override(tf, "pair",
        List.of(slice(tf, x, 0, 2), slice(tf, x, 2, 4)),
        (ops, in, dy) -> List.of(dy.get(0), dy.get(1))).get(0));
    double[] analytic = GradientCheck.analytic(FOUR, X, firstOnly);
    double[] w = GradientCheck.weights(2);
    assertArrayEquals(new double[] {w[0], w[1], 0, 0}, analytic, 1e-12);
  }

  @Test
  void theSameNameInTwoGraphsKeepsEachGraphsRule() {
    GradientCheck.Function twice = (tf, x) -> GradientOverrides.identityWithGradient(tf, "rule",
        x, (ops, in, dy) -> List.of(ops.math.mul(cast(dy.get(0)), ops.constant(2.0))));
    GradientCheck.Function negated = (tf, x) -> GradientOverrides.identityWithGradient(tf,
        "rule", x, (ops, in, dy) -> List.of(ops.math.neg(cast(dy.get(0)))));
    double[] a = GradientCheck.analytic(FOUR, X, twice);
    double[] b = GradientCheck.analytic(FOUR, X, negated);
    for (int i = 0; i < 4; i++) {
      assertEquals(-2 * b[i], a[i], 1e-12);
    }
  }

  @Test
  void anIdentityNWithoutARulePassesGradientsThrough() {
    GradientCheck.Function plain = (tf, x) -> cast(tf.identityN(List.of(tf.math.square(x)))
        .output().get(0));
    double[] analytic = GradientCheck.analytic(FOUR, X, plain);
    double[] numeric = GradientCheck.numeric(FOUR, X, (tf, x) -> tf.math.square(x), 1e-5);
    assertTrue(GradientCheck.maxError(analytic, numeric) < 1e-8);
  }

  @SuppressWarnings("unchecked")
  static Operand<TFloat64> cast(Operand<?> o) {
    return (Operand<TFloat64>) o;
  }


  @Test
  void float32ReturnsAFloatEntryAndRefusesAnotherType() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> f = tf.constant(1f);
      Operand<TFloat64> d = tf.constant(1.0);
      List<Operand<?>> entries = List.of(d, f);
      assertEquals(f, GradientOverrides.float32(entries, 1));
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalStateException.class, () -> GradientOverrides.float32(entries, 0));
      assertTrue(e.getMessage().contains("entry 0 is DT_DOUBLE"), e.getMessage());
    }
  }
}
