package tfpeft.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Moves variable values between the host and a session.
 *
 * <p>Many variables move in few session runs: each run with a new set of feeds and fetches makes
 * TensorFlow prune the graph and build an executor for it, which costs far more than moving a
 * small tensor, so reading or assigning a model's variables one run each spent most of a
 * checkpoint's time there. The runs take at most {@link #BATCH_BYTES} of values each, so the
 * tensors alive at once stay bounded whatever the model's size.
 */
public final class VariableValues {
  /** The most bytes of values one session run moves. */
  public static final long BATCH_BYTES = 64L << 20;

  private VariableValues() {}

  /** Assigns {@code values} (row-major, the variable's shape) to {@code v}. */
  public static void assign(Session session, ModelVariable v, float[] values) {
    assignAll(session, List.of(v), List.of(values));
  }

  /** Assigns {@code values.get(i)} to {@code variables.get(i)}, in batched session runs. */
  public static void assignAll(Session session, List<ModelVariable> variables,
      List<float[]> values) {
    assignAll(session, variables, values, BATCH_BYTES);
  }

  static void assignAll(Session session, List<ModelVariable> variables, List<float[]> values,
      long batchBytes) {
    if (variables.size() != values.size()) {
      throw new IllegalArgumentException(variables.size() + " variables, " + values.size()
          + " values");
    }
    for (int i = 0; i < variables.size(); i++) {
      if (values.get(i).length != variables.get(i).size()) {
        throw new IllegalArgumentException(variables.get(i).name() + " has "
            + variables.get(i).size() + " values, got " + values.get(i).length);
      }
    }
    for (List<Integer> batch : batches(variables, batchBytes)) {
      List<TFloat32> tensors = new ArrayList<>();
      try {
        Session.Runner r = session.runner();
        for (int i : batch) {
          ModelVariable v = variables.get(i);
          TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values.get(i), true, false));
          tensors.add(t);
          r.feed(v.loadValue(), t).addTarget(v.load());
        }
        r.run();
      } finally {
        tensors.forEach(TFloat32::close);
      }
    }
  }

  /** Assigns each entry's values to its variable, in batched session runs. */
  public static void assignAll(Session session, Map<ModelVariable, float[]> values) {
    assignAll(session, new ArrayList<>(values.keySet()), new ArrayList<>(values.values()));
  }

  /** The current value of {@code v}, row-major. */
  public static float[] read(Session session, ModelVariable v) {
    float[][] out = new float[1][];
    readEach(session, List.of(v), (x, values) -> out[0] = values);
    return out[0];
  }

  /**
   * The current values of {@code variables}, row-major, handed to {@code sink} in order; read
   * in batched session runs.
   */
  public static void readEach(Session session, List<ModelVariable> variables,
      BiConsumer<ModelVariable, float[]> sink) {
    readEach(session, variables, sink, BATCH_BYTES);
  }

  static void readEach(Session session, List<ModelVariable> variables,
      BiConsumer<ModelVariable, float[]> sink, long batchBytes) {
    for (List<Integer> batch : batches(variables, batchBytes)) {
      Session.Runner r = session.runner();
      for (int i : batch) {
        r.fetch(variables.get(i).value());
      }
      try (var result = r.run()) {
        for (int k = 0; k < batch.size(); k++) {
          TFloat32 t = (TFloat32) result.get(k);
          float[] out = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(out);
          sink.accept(variables.get(batch.get(k)), out);
        }
      }
    }
  }

  /** The current values of {@code variables} by name, in their order. */
  public static Map<String, float[]> readAll(Session session, List<ModelVariable> variables) {
    Map<String, float[]> out = new LinkedHashMap<>();
    readEach(session, variables, (v, values) -> out.put(v.name(), values));
    return out;
  }

  /** Consecutive runs of indices of at most {@code limit} bytes each (a larger variable alone). */
  static List<List<Integer>> batches(List<ModelVariable> variables, long limit) {
    List<List<Integer>> out = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < variables.size(); i++) {
      long b = 4L * variables.get(i).size();
      if (!current.isEmpty() && bytes + b > limit) {
        out.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(i);
      bytes += b;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}
