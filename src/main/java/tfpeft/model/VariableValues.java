package tfpeft.model;

import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Moves variable values between the host and a session. */
public final class VariableValues {
  private VariableValues() {}

  /** Assigns {@code values} (row-major, the variable's shape) to {@code v}. */
  public static void assign(Session session, ModelVariable v, float[] values) {
    if (values.length != v.size()) {
      throw new IllegalArgumentException(v.name() + " has " + v.size() + " values, got "
          + values.length);
    }
    try (TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false))) {
      session.runner().feed(v.loadValue(), t).addTarget(v.load()).run();
    }
  }

  /** The current value of {@code v}, row-major. */
  public static float[] read(Session session, ModelVariable v) {
    try (var result = session.runner().fetch(v.value()).run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }
}
