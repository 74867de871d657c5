package tfpeft.train;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RuntimeConfig;

/** A session configured from the run's {@code runtime} block. */
public final class SessionOptions {
  private SessionOptions() {}

  public static ConfigProto proto(RuntimeConfig r) {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(r.getIntraOpThreads())
        .setInterOpParallelismThreads(r.getInterOpThreads());
    if (r.getVirtualCpuDevices() > 1) {
      b.putDeviceCount("CPU", r.getVirtualCpuDevices());
    }
    if (r.getDevicesCount() > 1) {
      // a tower's shape arithmetic (int32 ops) has no GPU kernel; the placer puts it on the
      // host, as multi-GPU TensorFlow 1 training did. Devices that do not exist are refused
      // before (checkDevices), so this cannot hide a wrong device name.
      b.setAllowSoftPlacement(true);
    }
    if (r.getXla()) {
      // on CPU XLA also needs TF_XLA_FLAGS=--tf_xla_cpu_global_jit in the environment
      b.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(OptimizerOptions
          .newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }

  public static Session open(Graph g, RuntimeConfig r) {
    checkDevices(r);
    return new Session(g, proto(r));
  }

  /**
   * Refuses a {@code runtime.devices} entry this machine does not have, naming it: a constant
   * placed on each, run in a session of the run's settings without soft placement.
   */
  static void checkDevices(RuntimeConfig r) {
    List<String> devices = r.getDevicesList();
    if (devices.size() <= 1) {
      return;
    }
    ConfigProto strict = proto(r).toBuilder().setAllowSoftPlacement(false).build();
    for (int i = 0; i < devices.size(); i++) {
      String d = devices.get(i);
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        var probe = tf.withDevice(Towers.device(d)).withName("probe").identity(tf.constant(1f));
        try (Session s = new Session(g, strict)) {
          s.runner().fetch(probe).run().close();
        }
      } catch (RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst()
            .orElse("");
        throw TfpeftException.usage("runtime.devices[" + i + "]: \"" + d + "\" is not a device"
            + " of this machine as TensorFlow sees it (" + why + "); list existing devices"
            + " (/device:GPU:0, /device:GPU:1, ...; /device:CPU:1 needs"
            + " runtime.virtual_cpu_devices: 2)");
      }
    }
  }
}
