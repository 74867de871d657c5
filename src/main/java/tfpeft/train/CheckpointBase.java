package tfpeft.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.BaseIdentity;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * Adapter-sized checkpoints: a run on pretrained weights changes only what it trains, so its
 * checkpoints leave the frozen backbone out and name the base it is read back from.
 *
 * <p>Such a checkpoint holds every variable but the frozen backbone weights: everything outside
 * {@code backbone/} (the method's variables and frozen state, the head, the optimizer slots)
 * and the backbone variables the run trains or has trained, which are those with optimizer
 * slots (BitFit's biases). Its state.json says {@code "adapter_sized": true} and records the
 * base's {@link BaseIdentity} (the checksum of the backbone as loaded, before training, and the
 * absolute weights path). Whoever opens it (resume, eval, export, artifacts) loads the base
 * from model.weights, compares checksums, and restores the checkpoint over it.
 *
 * <p>A run on a random initialization stores everything (there is no file to read its backbone
 * back from), a full fine-tune does by the rule above, and a run resumed from a checkpoint that
 * holds everything (written before checkpoints were adapter-sized) goes on as it started.
 */
public final class CheckpointBase {
  private CheckpointBase() {}

  /** Whether {@code name} is a backbone variable that the optimizer has never touched. */
  private static boolean frozenBackbone(String name, Set<String> slotted) {
    return name.startsWith(BackboneChecksum.PREFIX) && !slotted.contains(name);
  }

  /** The variables that have optimizer slots in {@code net}: those the run trains or trained. */
  private static Set<String> slotted(Net net) {
    Set<String> out = new HashSet<>();
    for (ModelVariable v : net.variables("optimizer/")) {
      String rest = v.name().substring("optimizer/".length());
      int slot = rest.lastIndexOf('/');
      if (slot > 0) {
        out.add(rest.substring(0, slot));
      }
    }
    return out;
  }

  /** Whether a checkpoint of {@code net} as it stands would leave a frozen backbone weight out. */
  static boolean leavesOut(Net net) {
    Set<String> slotted = slotted(net);
    return net.variables(BackboneChecksum.PREFIX).stream()
        .anyMatch(v -> frozenBackbone(v.name(), slotted));
  }

  /** What an adapter-sized checkpoint of {@code net} holds: all but the frozen backbone. */
  static List<ModelVariable> stored(Net net) {
    Set<String> slotted = slotted(net);
    return net.variables().stream().filter(v -> !frozenBackbone(v.name(), slotted))
        .toList();
  }

  /**
   * The variables that restoring {@code c} takes from the base rather than the checkpoint:
   * none for a checkpoint that holds everything; else the backbone variables that neither
   * train in the opened model ({@code trains}) nor have optimizer slots in it (a resumed run's
   * net has the slots of every variable its checkpoint trained).
   */
  static Predicate<String> fromBase(CheckpointStore.Checkpoint c, Net net,
      List<ModelVariable> trains) {
    if (!c.adapterSized()) {
      return name -> false;
    }
    Set<String> kept = slotted(net);
    trains.forEach(v -> kept.add(v.name()));
    return name -> frozenBackbone(name, kept);
  }

  /**
   * Fails unless {@code loaded}, the backbone the opened model loaded from model.weights, is the
   * base of the adapter-sized checkpoint {@code c}.
   */
  public static void check(CheckpointStore.Checkpoint c, BaseIdentity loaded) {
    BaseIdentity recorded = c.base();
    if (recorded.sameWeights(loaded)) {
      return;
    }
    throw TfpeftException.usage(c.dir() + " is an adapter-sized checkpoint: it holds what the"
        + " run trained, and its frozen backbone is the run's base, " + recorded.describe()
        + where(recorded) + "; but model.weights gives " + loaded.describe() + where(loaded)
        + ". Give the run its own base: --set model.weights.path="
        + (recorded.weights().isEmpty() ? "PATH" : recorded.weights())
        + " (or a copy of it; its SHA-256 is checked). To fine-tune on the other base, train"
        + " a new run (--set name=...)");
  }

  /**
   * Fails when the base of the adapter-sized checkpoint {@code c} cannot be loaded because
   * {@code weightsPath} (model.weights.path) is empty or names nothing.
   */
  public static void requireBaseFile(CheckpointStore.Checkpoint c, String weightsPath) {
    if (!c.adapterSized() || !weightsPath.isEmpty() && Files.exists(Path.of(weightsPath))) {
      return;
    }
    BaseIdentity recorded = c.base();
    throw TfpeftException.usage(c.dir() + " is an adapter-sized checkpoint: it holds what the"
        + " run trained, not the frozen backbone, which is read from the run's base, "
        + recorded.describe() + where(recorded) + "; but model.weights.path "
        + (weightsPath.isEmpty() ? "is empty" : weightsPath + " does not exist")
        + ". Put the base back there, or give a copy of it with --set model.weights.path=PATH"
        + " (its SHA-256 is checked)");
  }

  /**
   * As {@link #requireBaseFile} for the last checkpoint of the run {@code config} writes, if it
   * has one: where a command found no weights before it looked at the run.
   */
  public static void requireBaseOfRun(RunConfig config, String source) {
    RunDirectory dir = RunDirectory.of(config, source);
    if (Files.isDirectory(dir.root())) {
      dir.checkpoints().latest().ifPresent(c -> requireBaseFile(c,
          config.getModel().getWeights().getPath()));
    }
  }

  private static String where(BaseIdentity b) {
    return b.weights().isEmpty() ? "" : " at " + b.weights();
  }
}
