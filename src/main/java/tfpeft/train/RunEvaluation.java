package tfpeft.train;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.Defaults;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.Dataset;
import tfpeft.data.Split;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * Evaluates a run's checkpoint (the last, the best, or a given one) on a split: top-1, top-k,
 * per-class accuracy and confusion, plus base and new accuracy and their harmonic mean under the
 * base-to-new protocol. A run whose method trains nothing (zero-shot), or a config with no run
 * yet, is evaluated with the weights the config starts from.
 */
public final class RunEvaluation {
  /**
   * @param checkpoint the checkpoint evaluated, or null for the starting weights
   * @param novel the new classes' metrics under base-to-new, else null
   */
  public record Result(RunDirectory dir, CheckpointStore.Checkpoint checkpoint, String split,
      List<String> classNames, EvalMetrics metrics, List<String> newClassNames,
      EvalMetrics novel, JsonObject json) {}

  private RunEvaluation() {}

  /**
   * @param written the config as written (see {@link Trainer#Trainer})
   * @param which "last", "best", or the path of a checkpoint directory
   * @param splitName "test" or "val"
   */
  public static Result evaluate(RunConfig written, String source, String which,
      String splitName, MethodRegistry registry, PrintStream log) {
    return evaluate(written, source, which, splitName, null, registry, log);
  }

  /**
   * As {@link #evaluate(RunConfig, String, String, String, MethodRegistry, PrintStream)}, on
   * another dataset when {@code target} is given: its split, its class names and its templates
   * (where the run's model names none), the class features recomputed for its classes with the
   * trained state (cross-dataset transfer, domain generalization). The fields the target sets
   * replace the run's data fields (its source replaces the run's source); the run's transforms
   * stay where the target sets none, its class sampling does not. A run whose trained state
   * belongs to its training classes is refused, by the rule base-to-new refuses it with.
   *
   * @param target the data block of the dataset to evaluate on, or null for the run's own
   */
  public static Result evaluate(RunConfig written, String source, String which,
      String splitName, DataConfig target, MethodRegistry registry, PrintStream log) {
    RunDirectory dir = RunDirectory.of(Defaults.fill(written), source);
    CheckpointStore.Checkpoint named = existing(dir, which);
    if (named != null) {
      // an adapter-sized checkpoint says it needs its base before the weights are looked for
      CheckpointBase.requireBaseFile(named, written.getModel().getWeights().getPath());
    }
    if (target != null) {
      refuseClassBoundState(Defaults.fill(written), registry);
      // the target names the images and classes; how images are prepared for the model (the
      // eval transform, the pipeline) stays the run's unless the target says otherwise, and the
      // target's classes are all of its classes unless it samples them itself
      RunConfig.Builder onTarget = written.toBuilder();
      onTarget.getDataBuilder().clearSampling().mergeFrom(target);
      onTarget.getEvalBuilder().setBaseToNew(false);
      written = onTarget.build();
    }
    PretrainedWeights weights = PretrainedWeights.load(written);
    RunConfig config = weights.config();
    RunData data = RunData.load(config, weights.vocabulary(), log::println);
    Dataset d = data.dataset();
    Split split = switch (splitName) {
      case "test" -> d.test();
      case "val" -> d.val();
      default -> throw TfpeftException.usage("--split must be test or val, got '" + splitName
          + "'");
    };
    if (split.isEmpty()) {
      throw TfpeftException.usage("the " + splitName + " split of this data is empty");
    }
    try (RunSession run = RunSession.opener(weights, registry).data(data).log(log::println)
        .open()) {
      if (target != null && run.graph().classifier() == ClassifierKind.HEAD) {
        throw TfpeftException.usage("eval --data: method." + run.method().name() + " scores"
            + " classes with a linear head trained on the run's own classes, which has no"
            + " output for another dataset's classes; evaluating on other classes needs CLIP's"
            + " text classifier (learned prompts, masks, adapters, zero-shot)");
      }
      run.graph().checkBaseToNew();
      CheckpointStore.Checkpoint checkpoint = choose(dir, which,
          !run.graph().trainable().isEmpty());
      if (checkpoint != null) {
        run.restore(checkpoint);
        log.println("evaluating " + checkpoint.dir());
      } else {
        log.println("evaluating the starting weights: " + run.startedFrom());
      }
      Evaluator evaluator = run.evaluator();
      run.prepare(checkpoint != null);
      EvalMetrics m = evaluator.run(split, d.numClasses(), data.prompts());
      JsonObject json = new JsonObject();
      json.addProperty("run_dir", dir.root().toString());
      json.addProperty("checkpoint", checkpoint == null ? "" : checkpoint.dir().toString());
      json.addProperty("split", splitName);
      if (target != null) {
        json.addProperty("data", d.name());
      }
      json.add(splitName, m.toJson(d.classNames()));
      Dataset fresh = null;
      EvalMetrics novel = null;
      if (config.getEval().getBaseToNew()) {
        fresh = data.newClasses(config);
        Split newSplit = splitName.equals("val") ? fresh.val() : fresh.test();
        novel = evaluator.run(newSplit, fresh.numClasses(), data.promptsFor(
            fresh.classNames()));
        JsonObject b2n = new JsonObject();
        b2n.addProperty("base", m.top1());
        b2n.addProperty("new", novel.top1());
        b2n.addProperty("harmonic_mean", EvalMetrics.harmonicMean(m.top1(), novel.top1()));
        b2n.add("new_" + splitName, novel.toJson(fresh.classNames()));
        json.add("base_to_new", b2n);
      }
      return new Result(dir, checkpoint, splitName, d.classNames(), m,
          fresh == null ? List.of() : fresh.classNames(), novel, json);
    }
  }

  /**
   * Refuses the methods whose trained state is tied to the training classes (a context per
   * class, a cache whose values are the training labels): the method's own refusal of
   * eval.base_to_new, whose new classes are the same question on the same dataset.
   */
  private static void refuseClassBoundState(RunConfig resolved, MethodRegistry registry) {
    RunConfig.Builder asked = resolved.toBuilder();
    asked.getEvalBuilder().setBaseToNew(true);
    Method method = registry.create(resolved.getMethod());
    method.checkConfig(asked.build(), (path, message) -> TfpeftException.usage(
        "eval --data: method." + method.name() + " keeps state tied to the run's own classes,"
        + " so it is refused on another dataset's classes as under eval.base_to_new ("
        + path + ": " + message + ")"));
  }

  /** The checkpoint {@code which} names, where there is one; null otherwise. */
  private static CheckpointStore.Checkpoint existing(RunDirectory dir, String which) {
    if (which.equals("last")) {
      return dir.checkpoints().latest().orElse(null);
    }
    if (which.equals("best")) {
      return dir.checkpoints().best().orElse(null);
    }
    Path p = Path.of(which);
    return Files.isDirectory(p) ? CheckpointStore.read(p) : null;
  }

  private static CheckpointStore.Checkpoint choose(RunDirectory dir, String which,
      boolean trains) {
    if (!which.equals("last") && !which.equals("best")) {
      Path p = Path.of(which);
      if (!Files.isDirectory(p)) {
        throw TfpeftException.usage("--checkpoint " + which + ": expected best, last or a"
            + " checkpoint directory (" + dir.root().resolve(RunDirectory.CHECKPOINTS)
            + "/epoch-NNNN)");
      }
      return CheckpointStore.read(p);
    }
    CheckpointStore store = dir.checkpoints();
    Optional<CheckpointStore.Checkpoint> c = which.equals("best") ? store.best()
        : store.latest();
    if (c.isPresent()) {
      return c.get();
    }
    if (trains && Files.isDirectory(dir.root())) {
      throw TfpeftException.usage(store.dir() + " holds no " + (which.equals("best")
          ? "evaluated checkpoint" : "checkpoint") + "; train the run first (tfpeft train"
          + " --config ...)");
    }
    return null;
  }
}
