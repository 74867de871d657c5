package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.peft.AdapterDropout;

/** The controls of a net are fed as one: evaluation turns every stochastic layer off. */
class GraphControlsTest {
  static float[] run(Session s, Net net, GraphControls c, Operand<TFloat32> y) {
    try (var out = c.feed(net, s.runner()).fetch(y).run()) {
      TFloat32 t = (TFloat32) out.get(0);
      float[] v = new float[(int) t.shape().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = t.getFloat(0, i);
      }
      return v;
    }
  }

  @Test
  void evaluationLeavesAnAdaptersDropoutOffAndATrainingStepTurnsItOn() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 1);
      float[] ones = new float[400];
      Arrays.fill(ones, 1f);
      Operand<TFloat32> y = AdapterDropout.apply(net, net.tf().constant(new float[][] {ones}),
          0.5f);
      try (GraphControls eval = GraphControls.evaluation()) {
        assertArrayEquals(ones, run(s, net, eval, y));
      }
      try (GraphControls step = GraphControls.training(0f, TInt64.vectorOf(3, 1))) {
        float[] v = run(s, net, step, y);
        // inverted dropout at p = 0.5: every element is dropped (0) or kept and scaled by 2
        long zeros = 0;
        for (float x : v) {
          assertTrue(x == 0f || x == 2f, "element " + x);
          zeros += x == 0f ? 1 : 0;
        }
        assertTrue(zeros > 100 && zeros < 300, zeros + " of 400 dropped");
      }
    }
  }

  @Test
  void aTrainingStepOnANetWithoutDropoutFeedsNoTrainingFlag() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 1);
      Operand<TFloat32> y = net.tf().math.add(net.dropPathRate(), net.tf().constant(1f));
      try (GraphControls step = GraphControls.training(0.25f, TInt64.vectorOf(3, 1))) {
        assertArrayEquals(new float[] {1.25f}, run1(s, net, step, y));
      }
      assertFalse(net.hasTrainingFlag(), "feeding the controls made a training flag");
    }
  }

  @Test
  void evaluationFeedsNoDropPathAndStepSeedZeroAndATrainingStepItsOwn() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 1);
      // a fed tensor cannot be fetched: read the controls through identities
      Operand<TFloat32> rate = net.tf().identity(net.dropPathRate());
      Operand<TInt64> seed = net.tf().identity(net.stepSeed());
      try (GraphControls eval = GraphControls.evaluation();
          var out = eval.feed(net, s.runner()).fetch(rate).fetch(seed).run()) {
        assertEquals(0f, ((TFloat32) out.get(0)).getFloat());
        assertEquals(0L, ((TInt64) out.get(1)).getLong(0));
        assertEquals(0L, ((TInt64) out.get(1)).getLong(1));
      }
      try (GraphControls step = GraphControls.training(0.1f, TInt64.vectorOf(5, 7));
          var out = step.feed(net, s.runner()).fetch(rate).fetch(seed).run()) {
        assertEquals(0.1f, ((TFloat32) out.get(0)).getFloat());
        assertEquals(5L, ((TInt64) out.get(1)).getLong(0));
        assertEquals(7L, ((TInt64) out.get(1)).getLong(1));
      }
    }
  }

  static float[] run1(Session s, Net net, GraphControls c, Operand<TFloat32> y) {
    try (var out = c.feed(net, s.runner()).fetch(y).run()) {
      return new float[] {((TFloat32) out.get(0)).getFloat()};
    }
  }
}
