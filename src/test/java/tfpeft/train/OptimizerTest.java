package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Optimizer;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/** Optimizer steps against the update rules computed by hand in double precision. */
class OptimizerTest {
  static final float[] W0 = {1f, -2f};
  static final float[][] GRADS = {{0.5f, -1f}, {0.1f, 0.3f}, {-0.2f, 0.05f}};

  /** Runs three steps with gradients GRADS (loss = sum(w * g)) and returns w after each. */
  static float[][] run(TrainingConfig c, float lr) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      ModelVariable w = net.variable("peft/w", new long[] {2}, Init.zeros());
      Placeholder<TFloat32> grad = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(2)));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(w.value(), grad), tf.constant(0));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {w.value().asOutput()});
      @SuppressWarnings("unchecked")
      Operand<TFloat32> dw = (Operand<TFloat32>) grads[0];
      tfpeft.train.Optimizer opt = tfpeft.train.Optimizer.build(net, c, List.of(w), List.of(dw));
      float[][] out = new float[GRADS.length][];
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, w, W0);
        for (int step = 0; step < GRADS.length; step++) {
          try (TFloat32 gt = TFloat32.vectorOf(GRADS[step])) {
            Session.Runner r = s.runner().feed(grad, gt).addTarget(opt.update());
            List<TFloat32> fed = opt.feed(r, step + 1, lr);
            r.run();
            fed.forEach(TFloat32::close);
          }
          out[step] = VariableValues.read(s, w);
        }
      }
      return out;
    }
  }

  static TrainingConfig.Builder base() {
    return TrainingConfig.newBuilder().setBeta1(0.9f).setBeta2(0.999f).setEpsilon(1e-8f);
  }

  @Test
  void adamwMatchesPyTorchsUpdateRule() {
    double lr = 0.1;
    double wd = 0.01;
    float[][] got = run(base().setOptimizer(Optimizer.ADAMW).setWeightDecay((float) wd).build(),
        (float) lr);
    double[] p = {W0[0], W0[1]};
    double[] m = new double[2];
    double[] v = new double[2];
    for (int t = 1; t <= GRADS.length; t++) {
      for (int i = 0; i < 2; i++) {
        double g = GRADS[t - 1][i];
        p[i] -= lr * wd * p[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        double mhat = m[i] / (1 - Math.pow(0.9, t));
        double vhat = v[i] / (1 - Math.pow(0.999, t));
        p[i] -= lr * mhat / (Math.sqrt(vhat) + 1e-8);
      }
      assertArrayEquals(new float[] {(float) p[0], (float) p[1]}, got[t - 1], 2e-6f,
          "step " + t);
    }
    // the first step moves each weight by about lr (Adam's normalized step) plus the decay
    assertEquals(1 - 0.001 - 0.1, got[0][0], 1e-6);
  }

  @Test
  void adamAddsL2ToTheGradient() {
    double lr = 0.05;
    double wd = 0.1;
    float[][] got = run(base().setOptimizer(Optimizer.ADAM).setWeightDecay((float) wd).build(),
        (float) lr);
    double[] p = {W0[0], W0[1]};
    double[] m = new double[2];
    double[] v = new double[2];
    for (int t = 1; t <= GRADS.length; t++) {
      for (int i = 0; i < 2; i++) {
        double g = GRADS[t - 1][i] + wd * p[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        p[i] -= lr * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i]
            / (1 - Math.pow(0.999, t))) + 1e-8);
      }
      assertArrayEquals(new float[] {(float) p[0], (float) p[1]}, got[t - 1], 2e-6f);
    }
  }

  @Test
  void sgdWithMomentumAndWeightDecay() {
    double lr = 0.1;
    double wd = 0.01;
    float[][] got = run(base().setOptimizer(Optimizer.SGD).setMomentum(0.9f)
        .setWeightDecay((float) wd).build(), (float) lr);
    double[] p = {W0[0], W0[1]};
    double[] b = new double[2];
    for (int t = 1; t <= GRADS.length; t++) {
      for (int i = 0; i < 2; i++) {
        b[i] = 0.9 * b[i] + GRADS[t - 1][i] + wd * p[i];
        p[i] -= lr * b[i];
      }
      assertArrayEquals(new float[] {(float) p[0], (float) p[1]}, got[t - 1], 1e-6f);
    }
  }

  @Test
  void clippingScalesByMaxNormOverGlobalNorm() {
    // plain SGD, no momentum: the step is lr times the clipped gradient
    float[][] got = run(base().setOptimizer(Optimizer.SGD).setMomentum(0).setWeightDecay(0)
        .setClipGradNorm(0.5f).build(), 1f);
    double norm = Math.hypot(0.5, 1);
    assertArrayEquals(new float[] {(float) (1 - 0.5 * 0.5 / norm), (float) (-2 + 0.5 / norm)},
        got[0], 1e-6f);
  }

  @Test
  void weightDecaySparesTheVariablesTheMethodExempts() {
    // zero gradients: Adam's step is 0, so only AdamW's decay moves a weight
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      ModelVariable decayed = net.variable("head/w", new long[] {2}, Init.zeros());
      ModelVariable spared = net.variable("peft/ssf/norm/scale", new long[] {2}, Init.zeros());
      Operand<TFloat32> zero = tf.zeros(tf.constant(new int[] {2}), TFloat32.class);
      tfpeft.train.Optimizer opt = tfpeft.train.Optimizer.build(net, base()
          .setOptimizer(Optimizer.ADAMW).setWeightDecay(0.01f).build(), List.of(decayed, spared),
          List.of(zero, zero), "optimizer", name -> !name.startsWith("peft/"));
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, decayed, W0);
        VariableValues.assign(s, spared, W0);
        Session.Runner r = s.runner().addTarget(opt.update());
        List<TFloat32> fed = opt.feed(r, 1, 0.1f);
        r.run();
        fed.forEach(TFloat32::close);
        assertArrayEquals(new float[] {W0[0] * 0.999f, W0[1] * 0.999f},
            VariableValues.read(s, decayed), 1e-7f);
        assertArrayEquals(W0, VariableValues.read(s, spared), 0f);
      }
    }
  }
}
