package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * A parameter-efficient method (or baseline) as the trainer sees it. The trainer knows no method
 * by name: it asks the method for its site hooks before building the backbone, which variables
 * train (by name prefix), how images are classified, and calls the lifecycle hooks at their
 * moments. One instance serves one run and may hold state (a pruning plan), which goes into
 * every checkpoint through {@link #saveState} and comes back through {@link #restoreState}.
 *
 * <p>Variables a method creates live under {@code peft/<name>/}; the backbone's under
 * {@code backbone/}, the head's under {@code head/}.
 *
 * <p>What the commands need to know of a method (whether it needs CLIP, the checks of its own
 * config, how an adapter artifact stores its variables, its storage accounting, what export
 * folds) the method answers itself: those members have no default, so a method that cannot
 * answer does not compile, and generic code never switches on the method.
 */
public interface Method {
  /** The member of the config's {@code method} oneof this method implements. */
  MethodConfig.MethodCase kind();

  /** The method's name, as in the config and in {@code peft/<name>/}. */
  default String name() {
    return MethodRegistry.nameOf(kind());
  }

  /** The variable prefix of the method's own variables. */
  default String variablePrefix() {
    return "peft/" + name() + "/";
  }

  // ---- build time --------------------------------------------------------------------------

  /** Hooks attached to the backbone's sites before it is built (LoRA paths, masks, prompts). */
  default List<SiteHook> hooks(MethodContext ctx) {
    return List.of();
  }

  /** How the model turns images into class scores under this method. */
  ClassifierKind classifier(MethodContext ctx);

  /**
   * Class features [C, E] (normalized) that this method builds itself, e.g. from learned prompt
   * context; null lets the trainer encode the class prompts with the text tower.
   */
  default Operand<TFloat32> classFeatures(MethodContext ctx) {
    return null;
  }

  /**
   * The logits [N, C] of an {@link ClassifierKind#IMAGE_CONDITIONED} classifier, built in the
   * training graph and again in the served one: {@code imageFeatures} [N, E] (not normalized),
   * {@code classIds} the class prompts' token ids [C * T, context] (class-major, T prompts per
   * class: {@code templates}; fed in training and evaluation, constants when served). Asked only
   * of a method whose {@link #classifier} is that kind.
   */
  default Operand<TFloat32> imageConditionedLogits(MethodContext ctx,
      Operand<TFloat32> imageFeatures, Operand<TInt32> classIds, int templates) {
    throw new IllegalStateException("method." + name() + " is asked for per-image logits, but"
        + " its classifier is " + classifier(ctx) + ", not IMAGE_CONDITIONED");
  }

  /**
   * The most images one graph call (a training step, an evaluation batch) may hold when it
   * scores {@code classes} classes, and the bound it keeps (a memory bound whose cost grows with
   * images x classes); empty, the default, for no bound. A training.batch_size or
   * eval.batch_size above it is a config error; evaluation without eval.batch_size takes
   * batches no larger.
   */
  default Optional<BatchLimit> batchLimit(RunConfig run, int classes) {
    return Optional.empty();
  }

  /**
   * The class-prompt templates of CLIP's text classifier ("{}" is the class name), asked once
   * the hooks exist. {@code templates} are the run's: model.clip.templates, else the dataset's,
   * else CLIP's "a photo of a {}."; a method may check them (a usage error naming the template
   * that does not fit) or supply its own. The default takes them as they are.
   */
  default List<String> templates(MethodContext ctx, List<String> templates) {
    return templates;
  }

  /**
   * The classifier's final logits [N, C] from the backbone's ({@code logits}: the head's, or
   * exp(logit_scale) times the cosine to the class features) and the image features [N, E]
   * before normalization. The default leaves them alone; TIP-Adapter adds its cache's logits.
   */
  default Operand<TFloat32> transformLogits(MethodContext ctx, Operand<TFloat32> imageFeatures,
      Operand<TFloat32> logits) {
    return logits;
  }

  /** Called after the backbone and classifier exist: variables that need them are made here. */
  default void afterBuild(MethodContext ctx) {}

  /**
   * Name prefixes of the variables that train now; empty when nothing trains (zero-shot). A
   * variable's full name is a prefix that selects it alone: a method that trains some of the
   * backbone's own variables (BitFit's biases) names them from {@code ctx.net()}. Asked when the
   * training step is built, and again whenever {@link #afterEpoch} says it changed.
   */
  List<String> trainablePrefixes(MethodContext ctx);

  /**
   * Whether the variables that train ({@link #trainablePrefixes}) train by optimizer steps.
   * False for a method that fits them in {@link #prepare} instead (linear-probe CLIP's logistic
   * regression fits the head): the trainer then builds no training step, runs no epoch, and
   * keeps what prepare fitted as checkpoint 0; they are still what the method trained, for
   * checkpoints, artifacts and counts. True by default.
   */
  default boolean trainsBySteps() {
    return true;
  }

  /**
   * Whether the optimizer's weight decay ({@code training.weight_decay}) applies to
   * {@code variable}, one of those that train: SSF's official code decays none of its scale and
   * shift vectors. The default decays every trained variable.
   */
  default boolean weightDecays(String variable) {
    return true;
  }

  /** A term added to the classification loss (a regularizer), or null. */
  default Operand<TFloat32> extraLoss(MethodContext ctx) {
    return null;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Called once the session holds the starting weights (and a checkpoint's, when one is
   * restored), before the first step or evaluation, in training and in {@code tfpeft eval}: a
   * method whose variables are computed from the data rather than trained (TIP-Adapter's cache)
   * fills them here, unless {@link PrepareContext#restored()}.
   */
  default void prepare(PrepareContext ctx) {}

  /**
   * Rewrites the gradients of {@code variables} before clipping and the optimizer (gradient
   * dropout); the default leaves them as they are.
   */
  default List<Operand<TFloat32>> transformGradients(GradientContext ctx,
      List<ModelVariable> variables, List<Operand<TFloat32>> gradients) {
    return gradients;
  }

  /**
   * Called after every training epoch, before evaluation and checkpointing; what the method adds
   * to {@link EpochContext#metrics()} goes into the epoch's line of {@code metrics.jsonl}.
   */
  default EpochOutcome afterEpoch(EpochContext ctx) {
    return EpochOutcome.UNCHANGED;
  }

  /**
   * Called when a training run ends, after the test evaluation, with the final weights: the
   * method leaves its artifacts in the run directory (a mask run's {@code masks.pb}).
   */
  default void afterRun(RunEndContext ctx) {}

  /** Facts for {@code report.json} under {@code "method_report"} (alpha and beta, sparsity). */
  default JsonObject report() {
    return new JsonObject();
  }

  /** State beyond variables (a plan, statistics) to store in a checkpoint. */
  default JsonObject saveState() {
    return new JsonObject();
  }

  /** Takes back what {@link #saveState} stored; called on resume before the step is built. */
  default void restoreState(JsonObject state) {}

  /**
   * Called when an adapter artifact is applied, after its tensors are assigned: state that the
   * artifact keeps in its manifest ({@code state}, from {@link #saveState}) rather than as
   * tensors goes into the model's variables here (Pear's routing from its plan). {@code where}
   * names the manifest for errors. Most methods keep everything in tensors.
   */
  default void applyArtifactState(Session session, Net net, JsonObject state, String where) {}

  /** Called before export: merge, binarize or prune what the served model should hold. */
  default void exportTransform(ExportContext ctx) {}

  /**
   * Whether, after {@link #exportTransform} under {@code config}, the model computes the same
   * without this method's site hooks (LoRA merged into its Linears, masks applied to their
   * weights): the served graph is then built without them and holds none of the method's
   * variables. The default keeps the hooks (an AdaptFormer branch, prompts).
   */
  default boolean exportFolds(RunConfig config) {
    return false;
  }

  /**
   * Whether export can keep this method's low-rank paths unmerged ({@code export.merge_lora}
   * false, {@code --keep-lora}): so exactly when that field changes {@link #exportFolds}, which
   * is the method's own answer.
   */
  default boolean hasLoraPathsToKeep(RunConfig config) {
    RunConfig.Builder merged = config.toBuilder();
    merged.getExportBuilder().setMergeLora(true);
    RunConfig.Builder kept = config.toBuilder();
    kept.getExportBuilder().setMergeLora(false);
    return exportFolds(merged.build()) != exportFolds(kept.build());
  }

  // ---- what the commands ask (no defaults: every method answers for itself) ----------------

  /** Whether the method needs a CLIP backbone (it scores classes with text features). */
  boolean needsClip();

  /**
   * Checks of the method's own config against the run (a prompt depth against its tower, a
   * threshold against its init); a problem is thrown as {@code problems.at(path, message)}.
   * Asked when a config is loaded, before anything is built.
   */
  void checkConfig(RunConfig run, ConfigProblems problems);

  /**
   * Why an adapter artifact cannot hold a run of this method (the sentence after
   * "method.NAME"), or empty when it can.
   */
  Optional<String> artifactRefusal();

  /**
   * How an adapter artifact stores {@code variable}, one of the variables the method trains;
   * asked only when {@link #artifactRefusal} is empty.
   */
  StoredTensor stored(String variable);

  /**
   * The stored size of the method's adapters on {@code model}: with {@code state} null, from the
   * config alone (what {@code train --dry-run} prints: the run's end); with the method state an
   * artifact holds, what that artifact stores (Pear exported before its prune step keeps every
   * adapter). An artifact's adapter bytes must equal it. Empty for a method that stores no
   * adapters.
   */
  Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state);

  /**
   * Whether {@code variable} trains at a checkpoint whose method state is {@code state}: what
   * {@code tfpeft inspect} counts as trainable (the head and the method's variables, less
   * Pear's own state and, after its prune step, the pruned adapters).
   */
  boolean trainsAt(String variable, JsonObject state);

  /**
   * What {@code tfpeft inspect} says of the method's trained state, after the parameter counts
   * and the head: its adapters, plan, prompts, masks or cache, and the stored size (a
   * {@code "storage"} JSON object; {@link AdapterSummary} writes the usual forms).
   */
  void inspect(TrainedState trained, InspectSummary out);

  /**
   * What export does with the method's state under {@code config}, for export's report:
   * "LoRA merged into the weights", "its hooks kept in the served graph".
   */
  String foldingDescription(RunConfig config);
}
