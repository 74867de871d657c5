package tfpeft.peft.pear;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.KnowledgeCheckpoint;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SbaWeights;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.peft.Adapter;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.ExportContext;
import tfpeft.peft.GradientContext;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;
import tfpeft.peft.adaptformer.AdaptFormerBranch;
import tfpeft.peft.lora.Lora;
import tfpeft.peft.lora.LoraMerge;
import tfpeft.peft.lora.LoraSite;
import tfpeft.util.AtomicFiles;

/**
 * Pear and vanilla pruning as a method. During warm-up every position's adapter and the head
 * train, and each optimizer step adds its Taylor scores to the importance. After epoch
 * {@code warmup_epochs} the prune step runs ({@link Pear#prune}) and the method reports that
 * what trains changed: from then on only the kept adapters (each serving its positions) and the
 * head train. The plan goes into every checkpoint's state and, when the config names the run,
 * into {@code <output_dir>/<name>/pear_plan.json}; a resumed run takes it back.
 */
public final class PearMethod implements Method {
  public static final String PLAN_FILE = "pear_plan.json";

  private final PearConfig config;
  private Pear pear;
  private RunConfig run;
  private PearPlan pending;
  private int decidedAfterEpoch;

  public PearMethod(MethodConfig c) {
    this.config = c.getPear();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.PEAR;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    run = ctx.config();
    pear = new Pear(config, Pear.positions(config, ctx.config().getModel()));
    pear.build(ctx.net());
    if (pending != null) {
      pear.restore(pending);
      pending = null;
    }
    return List.of(pear.hook());
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    List<String> prefixes = new ArrayList<>();
    for (Adapter a : pear.training()) {
      prefixes.add(Pear.PREFIX + a.site() + "/");
    }
    prefixes.add("head/");
    return prefixes;
  }

  /** During warm-up, the step also accumulates importance from the raw gradients. */
  @Override
  public List<Operand<TFloat32>> transformGradients(GradientContext ctx,
      List<ModelVariable> variables, List<Operand<TFloat32>> gradients) {
    if (pear.plan() != null) {
      return gradients;
    }
    Map<String, Operand<TFloat32>> byName = new HashMap<>();
    for (int i = 0; i < variables.size(); i++) {
      byName.put(variables.get(i).name(), gradients.get(i));
    }
    Op accumulate = pear.accumulateImportance(ctx.net(), v -> {
      Operand<TFloat32> g = byName.get(v.name());
      if (g == null) {
        throw new IllegalStateException(v.name() + " is not trained during warm-up");
      }
      return g;
    });
    Ops after = ctx.net().scope(Pear.PREFIX + "gradients").withControlDependencies(
        List.of(accumulate));
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      out.add(after.identity(g));
    }
    return out;
  }

  @Override
  public EpochOutcome afterEpoch(EpochContext ctx) {
    if (pear.plan() != null || ctx.epoch() < config.getWarmupEpochs()) {
      return EpochOutcome.UNCHANGED;
    }
    PearPlan plan = pear.prune(ctx.session());
    decidedAfterEpoch = ctx.epoch();
    Path file = planFile(run);
    if (file != null) {
      AtomicFiles.writeString(file, PearPlanJson.text(PearPlanJson.toJson(plan, config,
          decidedAfterEpoch)));
    }
    return EpochOutcome.TRAINABLE_CHANGED;
  }

  @Override
  public JsonObject saveState() {
    JsonObject s = new JsonObject();
    if (pear != null && pear.plan() != null) {
      s.add("plan", PearPlanJson.toJson(pear.plan(), config, decidedAfterEpoch));
    }
    return s;
  }

  @Override
  public void restoreState(JsonObject state) {
    if (!state.has("plan")) {
      return;
    }
    JsonObject json = state.getAsJsonObject("plan");
    PearPlan plan = PearPlanJson.fromJson(json, "the checkpoint's Pear plan");
    decidedAfterEpoch = json.has("decided_after_epoch")
        ? json.get("decided_after_epoch").getAsInt() : 0;
    if (pear == null) {
      pending = plan;
    } else {
      pear.restore(plan);
    }
  }

  /**
   * For LoRA adapters with {@code export.merge_lora}: each position's adapter (its own or the
   * shared one it uses) is folded into its Linear, and the routing is zeroed.
   */
  @Override
  public void exportTransform(ExportContext ctx) {
    if (!config.hasLora() || !ctx.config().getExport().getMergeLora()) {
      return;
    }
    PearPlan plan = pear.plan();
    List<Adapter> adapters = pear.adapters();
    for (int p = 0; p < adapters.size(); p++) {
      int uses = plan == null ? p : plan.uses()[p];
      if (uses >= 0) {
        LoraMerge.mergeInto(ctx.session(), ctx.net(), adapters.get(p).site(),
            adapters.get(uses), config.getLora().getScale(), config.getLora().getBits());
      }
    }
    int n = adapters.size();
    VariableValues.assign(ctx.session(), pear.shared().routingOffset(),
        SharedAdapters.offset(new float[n * n], n));
  }

  /** Merged LoRA adapters (shared ones at every position they serve) need no hooks. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return this.config.hasLora() && config.getExport().getMergeLora();
  }

  /** Stored adapters carry the plan, not the routing variables: those come from the plan. */
  @Override
  public void applyArtifactState(Session session, Net net,
      JsonObject state, String where) {
    if (state.has("plan")) {
      Pear.assignPlan(session, net, PearPlanJson.fromJson(state.get("plan"), where + ".plan"));
    }
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return this.config.hasLora() ? Lora.foldingOf(config) : "its hooks kept in the served graph";
  }

  @Override
  public boolean needsClip() {
    return false;
  }

  /**
   * The prune step must run within the epochs; knowledge checkpoints need sharing (vanilla
   * pruning has no shared adapter to absorb the pruned ones); SBA's hand-set weights only with
   * SBA and HAND_SET.
   */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    int epochs = run.getTraining().getEpochs();
    if (epochs > 0 && config.getWarmupEpochs() > epochs) {
      throw problems.at("method.pear.warmup_epochs", config.getWarmupEpochs() + " exceeds "
          + "training.epochs = " + epochs + ": the prune step would never run");
    }
    if (!config.getShare() && config.getKnowledgeCheckpoint() != KnowledgeCheckpoint.NONE) {
      throw problems.at("method.pear.knowledge_checkpoint", "needs share: true; vanilla pruning "
          + "has no shared adapter to absorb the pruned ones");
    }
    boolean sba = config.getKnowledgeCheckpoint() == KnowledgeCheckpoint.SBA;
    boolean handSet = config.getSbaWeights() == SbaWeights.HAND_SET;
    boolean weightsGiven = config.getSbaSharedWeight() != 1 || config.getSbaPrunedWeight() != 1;
    if (weightsGiven && !(sba && handSet)) {
      throw problems.at(config.getSbaSharedWeight() != 1 ? "method.pear.sba_shared_weight"
          : "method.pear.sba_pruned_weight", "is used only with knowledge_checkpoint: SBA and "
          + "sba_weights: HAND_SET");
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head in float32; adapters at their precision (the plan goes into the manifest). */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.isHead(variable) ? StoredTensor.float32(StoredTensor.Role.HEAD)
        : StoredTensor.adapter(config.hasLora() ? config.getLora().getBits()
            : config.getAdaptformer().getBits());
  }

  /** Every position trains an adapter; only the kept ones are stored (Table I). */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    Pear p = new Pear(config, Pear.positions(config, model));
    List<SiteSurvey.Site> sites = p.positions();
    // an artifact exported before the prune step has no plan and keeps every adapter
    boolean pruned = state == null || state.has("plan");
    int stored = pruned ? p.keptCount() : sites.size();
    return Optional.of(new AdapterAccounting(sites.size(), stored,
        AdapterAccounting.parameters(sites, p.shape().rank()),
        p.storedBytes(stored),
        p.shape().bits()));
  }

  /**
   * The run directory's copy of the plan, or null when the config does not name the run (the
   * method is not told the config file's name, from which the trainer then names it).
   */
  public static Path planFile(RunConfig run) {
    return run.getName().isEmpty() ? null
        : Path.of(run.getOutputDir()).resolve(run.getName()).resolve(PLAN_FILE);
  }

  /** The engine (after the graph is built). */
  public Pear pear() {
    return pear;
  }

  /**
   * The head and the adapters train, not Pear's own state (importance, routing) and, once the
   * plan exists, not the pruned positions' adapters.
   */
  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    if (StoredTensor.isHead(variable)) {
      return true;
    }
    if (!variable.startsWith(Pear.PREFIX)
        || variable.startsWith(Pear.PREFIX + SharedAdapters.STATE)) {
      return false;
    }
    PearPlan plan = plan(state);
    if (plan != null) {
      for (int p = 0; p < plan.size(); p++) {
        if (plan.pruned()[p] && variable.startsWith(Pear.PREFIX + plan.sites().get(p) + "/")) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    AdapterShape shape = config.hasLora() ? LoraSite.shape(config.getLora())
        : AdaptFormerBranch.shape(config.getAdaptformer());
    float scale = config.hasLora() ? config.getLora().getScale()
        : config.getAdaptformer().getScale();
    AdapterSummary.describe(out, config.hasLora() ? "LoRA" : "AdaptFormer",
        config.hasLora() ? "rank" : "dim", shape, scale, Pear.PREFIX, trained.trained());
    PearPlan plan = plan(trained.state());
    PearPlanSummary.describe(out, plan);
    AdapterSummary.adapterStorage(out, Pear.PREFIX, shape.bits(), trained.trained(),
        plan == null ? " (before the prune step)" : "");
  }

  private static PearPlan plan(JsonObject state) {
    return state == null || !state.has("plan") ? null
        : PearPlanJson.fromJson(state.get("plan"), "the method state's Pear plan");
  }
}
