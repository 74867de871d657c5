package tfpeft.train;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import tfpeft.config.proto.RuntimeConfig;

/** A session configured from the run's {@code runtime} block. */
public final class SessionOptions {
  private SessionOptions() {}

  public static ConfigProto proto(RuntimeConfig r) {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(r.getIntraOpThreads())
        .setInterOpParallelismThreads(r.getInterOpThreads());
    if (r.getXla()) {
      // on CPU XLA also needs TF_XLA_FLAGS=--tf_xla_cpu_global_jit in the environment
      b.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(OptimizerOptions
          .newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }

  public static Session open(Graph g, RuntimeConfig r) {
    return new Session(g, proto(r));
  }
}
