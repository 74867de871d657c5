package tfpeft.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.train.checkpoint.CheckpointStore;

/** Moves every variable of a graph (model and optimizer slots) into and out of checkpoints. */
public final class VariableCheckpoint {
  private VariableCheckpoint() {}

  /** Writes the values of {@code variables} into a bundle. */
  public static CheckpointStore.Variables of(Session s, List<ModelVariable> variables) {
    return w -> {
      try {
        VariableValues.readEach(s, variables, (v, values) -> {
          try {
            w.add(v.name(), v.shape().asArray(), values);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    };
  }

  /**
   * Creates in {@code net} the optimizer slots the checkpoint holds and the net lacks: slots of
   * variables that trained before a method narrowed what trains. Restored with the rest, they
   * travel on into later checkpoints, as in the run that never stopped.
   */
  public static void addMissingSlots(CheckpointStore.Checkpoint c, Net net) {
    java.util.Set<String> present = new java.util.HashSet<>();
    net.variables().forEach(v -> present.add(v.name()));
    for (TensorBundleReader.Entry e : TensorBundleReader.readIndex(c.variables()).entries()) {
      if (e.name().startsWith("optimizer/") && !present.contains(e.name())) {
        net.variable(e.name(), e.shape(), Init.zeros());
      }
    }
  }

  /**
   * Assigns the checkpoint's values to {@code variables}. With {@code requireAll} a variable the
   * checkpoint lacks is an error (a resume must restore everything); otherwise it keeps its
   * value. Returns the names not found.
   */
  public static List<String> restore(CheckpointStore.Checkpoint c, Session s,
      List<ModelVariable> variables, boolean requireAll) {
    return restore(c, s, variables, requireAll ? name -> false : name -> true);
  }

  /**
   * Assigns the checkpoint's values to {@code variables}; one the checkpoint lacks is an error
   * unless {@code mayLack} names it (it keeps the value it has: an adapter-sized checkpoint's
   * frozen backbone, loaded from the base). Returns the names not found.
   */
  public static List<String> restore(CheckpointStore.Checkpoint c, Session s,
      List<ModelVariable> variables, java.util.function.Predicate<String> mayLack) {
    Set<String> wanted = new HashSet<>();
    variables.forEach(v -> wanted.add(v.name()));
    TensorFile file = TensorBundleReader.read(c.variables(), wanted::contains);
    List<String> missing = new ArrayList<>();
    List<ModelVariable> found = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    for (ModelVariable v : variables) {
      Optional<NamedTensor> t = file.find(v.name());
      if (t.isEmpty()) {
        missing.add(v.name());
        continue;
      }
      if (!Arrays.equals(t.get().shape(), v.shape().asArray())) {
        throw TfpeftException.usage(c.dir() + ": " + v.name() + " has shape "
            + NamedTensor.formatShape(t.get().shape()) + " in the checkpoint, " + v.shape()
            + " in the model built from the config");
      }
      found.add(v);
      values.add(t.get().data());
    }
    VariableValues.assignAll(s, found, values);
    List<String> needed = missing.stream().filter(mayLack.negate()).toList();
    if (!needed.isEmpty()) {
      throw TfpeftException.usage(c.dir() + ": the checkpoint lacks " + needed.size()
          + " variables of the model built from the config, e.g. " + needed.get(0)
          + "; was it written by a different config?");
    }
    return missing;
  }

}
