package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Purity P and the applied gradient, on hand-made cases and as graph ops. */
class GradientDropoutTest {
  static final float TOL = 1e-6f;

  @Test
  void purityIsOneWhereTheSignsAgree() {
    assertEquals(1f, GradientDropout.purity(2f, 3f), TOL);
    assertEquals(1f, GradientDropout.purity(-0.5f, -4f), TOL);
  }

  @Test
  void purityIsTheShareOfTheCrossEntropyGradientWhereTheSignsDisagree() {
    // |a| / (|a| + |b|), whichever of the two is positive
    assertEquals(0.75f, GradientDropout.purity(3f, -1f), TOL);
    assertEquals(0.75f, GradientDropout.purity(-3f, 1f), TOL);
    assertEquals(0.25f, GradientDropout.purity(1f, -3f), TOL);
    assertEquals(0.25f, GradientDropout.purity(-1f, 3f), TOL);
    assertEquals(0.5f, GradientDropout.purity(2f, -2f), TOL);
  }

  @Test
  void purityWithZeros() {
    // a = 0: sign(a) = 0, P = 1/2; b = 0: P -> 1 (nothing contradicts a); both: 1/2
    assertEquals(0.5f, GradientDropout.purity(0f, 5f), TOL);
    assertEquals(0.5f, GradientDropout.purity(0f, -5f), TOL);
    assertEquals(1f, GradientDropout.purity(2f, 0f), TOL);
    assertEquals(1f, GradientDropout.purity(-2f, 0f), TOL);
    assertEquals(0.5f, GradientDropout.purity(0f, 0f), 0f);
  }

  @Test
  void zeroLeakGivesThePlainGradient() {
    float[] a = {0.3f, -2f, 1e-3f, 0f, 7f};
    float[] b = {-5f, 1f, 2f, 3f, -7f};
    float[] u = {0.99f, 0.99f, 0.99f, 0.99f, 0.99f};
    assertArrayEquals(a, GradientDropout.apply(a, b, 0f, u), 0f);
    assertArrayEquals(a, graphApply(a, b, 0f, u), 0f);
  }

  @Test
  void fullLeakKeepsAnElementExactlyWhenPurityExceedsTheDraw() {
    float[] a = {1f, 1f, 3f, 3f, -1f, 0f};
    float[] b = {1f, -3f, -1f, -1f, 3f, 1f};
    // P = 1, 0.25, 0.75, 0.75, 0.25, 0.5
    float[] u = {0.999f, 0.2f, 0.7f, 0.8f, 0.3f, 0.1f};
    float[] expected = {1f, 1f, 3f, 0f, 0f, 0f};
    assertArrayEquals(expected, GradientDropout.apply(a, b, 1f, u), 0f);
    assertArrayEquals(expected, graphApply(a, b, 1f, u), 0f);
  }

  @Test
  void aPartialLeakScalesDroppedElementsByOneMinusTheLeak() {
    float[] a = {2f, 2f};
    float[] b = {-6f, 6f};
    // P = 0.25 (dropped for u = 0.5) and 1 (kept)
    float[] u = {0.5f, 0.5f};
    assertArrayEquals(new float[] {1.4f, 2f}, GradientDropout.apply(a, b, 0.3f, u), TOL);
    assertArrayEquals(new float[] {1.4f, 2f}, graphApply(a, b, 0.3f, u), TOL);
  }

  @Test
  void graphOpsAgreeWithTheHostFormulaOnRandomGradients() {
    SplittableRandom rng = new SplittableRandom(4);
    int n = 257;
    float[] a = new float[n];
    float[] b = new float[n];
    float[] u = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian() * (i % 7 == 0 ? 0 : 1e-3f);
      b[i] = (float) rng.nextGaussian() * 1e-3f;
      u[i] = (float) rng.nextDouble();
    }
    assertArrayEquals(GradientDropout.purity(a, b), graphPurity(a, b), TOL);
    float[] host = GradientDropout.apply(a, b, 0.3f, u);
    float[] graph = graphApply(a, b, 0.3f, u);
    for (int i = 0; i < n; i++) {
      // a draw within rounding of P may fall either way; everything else agrees exactly
      if (Math.abs(GradientDropout.purity(a[i], b[i]) - u[i]) > 1e-6) {
        assertEquals(host[i], graph[i], Math.abs(a[i]) * 1e-6f, "element " + i);
      }
    }
  }

  @Test
  void theDrawsFollowTheStepSeed() {
    float[] a = new float[64];
    float[] b = new float[64];
    for (int i = 0; i < 64; i++) {
      a[i] = 1f;
      b[i] = -1f; // P = 1/2 everywhere: about half dropped
    }
    float[] first = drawn(a, b, 1, 2);
    assertArrayEquals(first, drawn(a, b, 1, 2), 0f);
    float kept = 0;
    for (float v : first) {
      kept += v;
    }
    assertTrue(kept > 16 && kept < 48, "kept " + kept + " of 64");
    assertFalse(java.util.Arrays.equals(first, drawn(a, b, 1, 3)));
  }

  /** Gradient dropout with full leak of one [64] gradient at step seed (s0, s1). */
  static float[] drawn(float[] a, float[] b, long s0, long s1) {
    try (Graph g = new Graph()) {
      tfpeft.model.Net net = new tfpeft.model.Net(g, 9);
      Ops tf = net.tf();
      Operand<TFloat32> y = GradientDropout.apply(net, java.util.List.of(tf.constant(a)),
          java.util.List.of(tf.constant(b)), tf.constant(1f)).get(0);
      try (Session s = new Session(g);
          org.tensorflow.types.TInt64 seed = org.tensorflow.types.TInt64.vectorOf(s0, s1);
          var r = s.runner().feed(net.stepSeed(), seed).fetch(y).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }

  static float[] graphPurity(float[] a, float[] b) {
    return run(tf -> GradientDropout.purity(tf, tf.constant(a), tf.constant(b)));
  }

  static float[] graphApply(float[] a, float[] b, float leak, float[] u) {
    return run(tf -> GradientDropout.apply(tf, tf.constant(a), tf.constant(b),
        tf.constant(leak), tf.constant(u)));
  }

  static float[] run(java.util.function.Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph()) {
      Operand<TFloat32> y = build.apply(Ops.create(g));
      try (Session s = new Session(g); var r = s.runner().fetch(y).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }
}
