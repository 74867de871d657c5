package tfpeft.train;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * The machine's measured matrix-product ceiling: GFLOP/s of one large square MatMul (2 n^3 FLOPs)
 * in float32 and in bfloat16, in the session configuration a run uses, timed in the same process
 * as the step it is compared with (the ceiling of a shared machine moves with its load). The
 * operands live in variables, so only the product is timed; its output is reduced to a scalar in
 * float32, which costs n^2 against the product's n^3.
 */
public final class MatMulCeiling {
  /** GFLOP/s of the product in float32 and bfloat16, and the devices the products ran on. */
  public record Result(int n, double fp32, double bf16, List<String> devices) {}

  private MatMulCeiling() {}

  /** Measures an {@code n} x {@code n} product, {@code reps} timed runs after one warm-up. */
  public static Result measure(int n, int reps, ConfigProto session) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> ra = tf.random.statelessRandomUniform(tf.constant(new int[] {n, n}),
          tf.constant(new long[] {1, 0}));
      Operand<TFloat32> rb = tf.random.statelessRandomUniform(tf.constant(new int[] {n, n}),
          tf.constant(new long[] {2, 0}));
      Operand<TFloat32> fp32 = tf.reduceSum(tf.linalg.matMul(tf.variable(ra), tf.variable(rb)),
          tf.constant(new int[] {0, 1}));
      Operand<TFloat32> bf16 = tf.reduceSum(tf.dtypes.cast(product(tf,
          tf.variable(tf.dtypes.cast(ra, TBfloat16.class)),
          tf.variable(tf.dtypes.cast(rb, TBfloat16.class))), TFloat32.class),
          tf.constant(new int[] {0, 1}));
      try (Session s = new Session(g, session)) {
        s.initialize();
        TreeSet<String> devices = new TreeSet<>();
        double f = rate(s, fp32, n, reps, devices);
        double h = rate(s, bf16, n, reps, devices);
        return new Result(n, f, h, new ArrayList<>(devices));
      }
    }
  }

  private static <T extends TNumber> Operand<T> product(Ops tf, Operand<T> a, Operand<T> b) {
    return tf.linalg.matMul(a, b);
  }

  private static double rate(Session s, Operand<TFloat32> out, int n, int reps,
      TreeSet<String> devices) {
    // the warm-up run is traced: which devices ran the ops
    try (var r = s.runner().fetch(out).setOptions(RunOptions.newBuilder()
        .setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build()).runAndFetchMetadata()) {
      RunMetadata meta = r.getMetadata().orElse(null);
      if (meta != null) {
        StepStats stats = meta.getStepStats();
        stats.getDevStatsList().forEach(d -> devices.add(d.getDevice()));
      }
    }
    long start = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      s.runner().fetch(out).run().close();
    }
    double seconds = (System.nanoTime() - start) / 1e9 / reps;
    return 2.0 * n * n * n / seconds / 1e9;
  }
}
