package tfpeft.graph;

import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat64;

/**
 * Gradient checks against central differences. A function f: x -> y is built in float64 (a
 * float32 function casts inside); the checked scalar is L = sum(y * r) with fixed pseudo-random
 * weights r, so every output element counts with its own weight. The analytic gradient of L comes
 * from {@code Graph.addGradients} (custom gradients included); the numeric one from
 * (L(x + h e_i) - L(x - h e_i)) / 2h, of the same function or of a reference function (the
 * surrogate a straight-through estimator stands for).
 */
public final class GradientCheck {
  /** How a function under test is built: ops, input -> output. */
  public interface Function extends BiFunction<Ops, Operand<TFloat64>, Operand<TFloat64>> {}

  private GradientCheck() {}

  /** dL/dx of f at x0, by TensorFlow's gradient. */
  public static double[] analytic(Shape shape, double[] x0, Function f) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(shape));
      Operand<TFloat64> loss = weightedSum(tf, f.apply(tf, x));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput()});
      try (Session s = new Session(g);
          TFloat64 in = tensor(shape, x0);
          var r = s.runner().feed(x, in).fetch(grad[0]).run()) {
        TFloat64 t = (TFloat64) r.get(0);
        double[] out = new double[x0.length];
        t.asRawTensor().data().asDoubles().read(out);
        return out;
      }
    }
  }

  /** dL/dx of f at x0 by central differences with step h. */
  public static double[] numeric(Shape shape, double[] x0, Function f, double h) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(shape));
      Operand<TFloat64> loss = weightedSum(tf, f.apply(tf, x));
      double[] out = new double[x0.length];
      try (Session s = new Session(g)) {
        for (int i = 0; i < x0.length; i++) {
          double[] xp = x0.clone();
          double[] xm = x0.clone();
          xp[i] += h;
          xm[i] -= h;
          out[i] = (eval(s, x, loss, shape, xp) - eval(s, x, loss, shape, xm)) / (2 * h);
        }
      }
      return out;
    }
  }

  /** The largest |a - b| / max(1, |b|) over the elements. */
  public static double maxError(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length + " elements");
    }
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    }
    return worst;
  }

  private static double eval(Session s, Placeholder<TFloat64> x, Operand<TFloat64> loss,
      Shape shape, double[] values) {
    try (TFloat64 in = tensor(shape, values);
        var r = s.runner().feed(x, in).fetch(loss).run()) {
      return ((TFloat64) r.get(0)).getDouble();
    }
  }

  private static Operand<TFloat64> weightedSum(Ops tf, Operand<TFloat64> y) {
    Shape shape = y.shape();
    if (shape.hasUnknownDimension()) {
      throw new IllegalArgumentException("the checked function needs a static output shape, got "
          + shape);
    }
    double[] w = weights((int) shape.size());
    Operand<TFloat64> r = tf.constant(shape, DataBuffers.of(w, true, false));
    Operand<TFloat64> prod = tf.math.mul(y, r);
    return tf.reduceSum(prod, tf.range(tf.constant(0), tf.rank(prod), tf.constant(1)),
        ReduceSum.keepDims(false));
  }

  /** Weights in +-[0.5, 1.5], fixed by the output size. */
  static double[] weights(int n) {
    SplittableRandom rng = new SplittableRandom(0x5eedL + n);
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble());
    }
    return w;
  }

  private static TFloat64 tensor(Shape shape, double[] values) {
    return TFloat64.tensorOf(shape, DataBuffers.of(values, true, false));
  }
}
