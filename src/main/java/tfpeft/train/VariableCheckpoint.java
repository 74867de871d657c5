package tfpeft.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.checkpoint.TensorBundle;

/** Moves every variable of a graph (model and optimizer slots) into and out of checkpoints. */
public final class VariableCheckpoint {
  private VariableCheckpoint() {}

  /** Writes the values of {@code variables} into a bundle. */
  public static CheckpointStore.Variables of(Session s, List<ModelVariable> variables) {
    return w -> {
      for (ModelVariable v : variables) {
        w.add(v.name(), v.shape().asArray(), VariableValues.read(s, v));
      }
    };
  }

  /**
   * Assigns the checkpoint's values to {@code variables}. With {@code requireAll} a variable the
   * checkpoint lacks is an error (a resume must restore everything); otherwise it keeps its
   * value. Returns the names not found.
   */
  public static List<String> restore(CheckpointStore.Checkpoint c, Session s,
      List<ModelVariable> variables, boolean requireAll) {
    List<String> missing = new ArrayList<>();
    try (TensorBundle.Reader r = new TensorBundle.Reader(c.variables())) {
      Map<String, TensorBundle.Entry> index = r.entries();
      for (ModelVariable v : variables) {
        TensorBundle.Entry e = index.get(v.name());
        if (e == null) {
          missing.add(v.name());
          continue;
        }
        if (!java.util.Arrays.equals(e.shape(), v.shape().asArray())) {
          throw TfpeftException.usage(c.dir() + ": " + v.name() + " has shape "
              + java.util.Arrays.toString(e.shape()) + " in the checkpoint, "
              + v.shape() + " in the model built from the config");
        }
        VariableValues.assign(s, v, r.floats(v.name()));
      }
    } catch (IOException e) {
      throw TfpeftException.usage(c.dir() + ": cannot read the checkpoint (" + e.getMessage()
          + ")", e);
    }
    if (requireAll && !missing.isEmpty()) {
      throw TfpeftException.usage(c.dir() + ": the checkpoint lacks " + missing.size()
          + " variables of the model built from the config, e.g. " + missing.get(0)
          + "; was it written by a different config?");
    }
    return missing;
  }
}
