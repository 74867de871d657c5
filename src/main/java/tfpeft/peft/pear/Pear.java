package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.peft.Adapter;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.SitePatterns;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.StateVariable;
import tfpeft.peft.adaptformer.AdaptFormerBranch;
import tfpeft.peft.lora.LoraSite;

/**
 * Pear (prune and share) and vanilla pruning over LoRA or AdaptFormer adapters, in three acts:
 * warm-up, where every position trains its own adapter and first-order Taylor importance
 * accumulates ({@link TaylorImportance}); the prune step ({@link #prune}), which decides the
 * {@link PearPlan}, applies the knowledge checkpoint ({@link PrunedKnowledge}) and re-points the
 * routing ({@link SharedAdapters}); and training of the kept adapters at all the positions they
 * serve.
 */
public final class Pear {
  public static final String PREFIX = "peft/pear/";

  private final PearConfig config;
  private final List<SiteSurvey.Site> positions;
  private final AdapterShape shape;
  private final SharedAdapters shared;
  private final SiteHook hook;
  private ModelVariable importance;
  private ModelVariable accumulating;
  private PearPlan plan;

  public Pear(PearConfig config, List<SiteSurvey.Site> positions) {
    this.config = config;
    this.positions = List.copyOf(positions);
    this.shape = config.hasLora() ? LoraSite.shape(config.getLora())
        : AdaptFormerBranch.shape(config.getAdaptformer());
    this.shared = new SharedAdapters(new AdapterBank(PREFIX, shape), positions);
    this.hook = config.hasLora() ? LoraSite.of(config.getLora(), shared)
        : AdaptFormerBranch.of(config.getAdaptformer(), shared);
  }

  /**
   * The positions Pear prunes and shares in {@code model}: the LoRA targets among its Linear
   * sites, or every vision block's MLP for AdaptFormer. They must all have one shape.
   */
  public static List<SiteSurvey.Site> positions(PearConfig c, ModelConfig model) {
    String field = c.hasLora() ? "method.pear.lora.targets" : "method.pear.adaptformer";
    SitePatterns targets = c.hasLora() ? LoraSite.targets(c.getLora())
        : AdaptFormerBranch.TARGETS;
    String kind = c.hasLora() ? "linear" : "mlp";
    List<SiteSurvey.Site> out = new ArrayList<>();
    for (SiteSurvey.Site s : SiteSurvey.of(model)) {
      if (s.kind().equals(kind) && targets.matches(s.name())) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      throw TfpeftException.usage(field + ": no site of the model matches " + targets);
    }
    for (SiteSurvey.Site s : out) {
      SiteSurvey.Site first = out.get(0);
      if (s.in() != first.in() || s.out() != first.out()) {
        throw TfpeftException.usage(field + ": Pear shares adapters across positions, so they "
            + "must have one shape; " + first.name() + " is " + first.in() + " -> "
            + first.out() + " but " + s.name() + " is " + s.in() + " -> " + s.out()
            + "; choose targets of one width");
      }
    }
    if (out.size() < 2) {
      throw TfpeftException.usage(field + ": Pear needs at least two positions, " + targets
          + " matches only " + out.get(0).name());
    }
    return out;
  }

  /** Adds the adapter hook and creates every position's variables and Pear's state. */
  public void attach(Net net) {
    net.addHook(hook);
    shared.build(net);
    int n = positions.size();
    importance = StateVariable.create(net, SharedAdapters.STATE + "importance", Shape.of(n),
        new float[n]);
    accumulating = StateVariable.create(net, SharedAdapters.STATE + "accumulating",
        Shape.scalar(), new float[] {1f});
  }

  /**
   * The op that adds one step's Taylor scores to the importance (until the prune step), given
   * the gradient of each trainable variable; run it with every optimizer step.
   */
  public Op accumulateImportance(Net net, Function<ModelVariable, Operand<TFloat32>> gradientOf) {
    Ops tf = net.scope(SharedAdapters.STATE + "accumulate");
    Operand<TFloat32> scores = TaylorImportance.stepScores(tf, shared.adapters(),
        a -> List.of(gradientOf.apply(a.down()), gradientOf.apply(a.up())));
    return tf.assignAdd(importance.variable(), tf.math.mul(scores, accumulating.value()));
  }

  /** The importance accumulated so far, per position. */
  public double[] importance(Session s) {
    float[] v = VariableValues.read(s, importance);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  /** Sets the accumulated importance (resuming a run). */
  public void loadImportance(Session s, double[] values) {
    float[] v = new float[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) values[i];
    }
    VariableValues.assign(s, importance, v);
  }

  /**
   * The prune step: decides the plan from the accumulated importance, lets each shared adapter
   * absorb the pruned ones (knowledge checkpoint), and re-points the routing. Runs once.
   */
  public PearPlan prune(Session s) {
    if (plan != null) {
      throw new IllegalStateException("the prune step has run already");
    }
    List<String> sites = positions.stream().map(SiteSurvey.Site::name).toList();
    PearPlan decided = PearPlan.decide(sites, importance(s), config.getPruneRatio(),
        config.getShare());
    PrunedKnowledge.Rule rule = new PrunedKnowledge.Rule(config.getKnowledgeCheckpoint(),
        config.getSbaSharedWeight(), config.getSbaPrunedWeight());
    List<Adapter> adapters = shared.adapters();
    for (boolean down : new boolean[] {true, false}) {
      float[][] m = new float[adapters.size()][];
      for (int p = 0; p < m.length; p++) {
        m[p] = VariableValues.read(s, down ? adapters.get(p).down() : adapters.get(p).up());
      }
      float[][] absorbed = PrunedKnowledge.absorb(decided, rule, m);
      for (int p : decided.kept()) {
        if (!decided.takenOverBy(p).isEmpty()) {
          VariableValues.assign(s, down ? adapters.get(p).down() : adapters.get(p).up(),
              absorbed[p]);
        }
      }
    }
    apply(s, decided);
    return decided;
  }

  /** Puts a decided plan in force (the prune step, or resuming after it): routing, no more scores. */
  public void apply(Session s, PearPlan decided) {
    List<String> sites = positions.stream().map(SiteSurvey.Site::name).toList();
    if (!decided.sites().equals(sites)) {
      throw TfpeftException.usage("the Pear plan is for positions " + decided.sites()
          + " but this model has " + sites);
    }
    VariableValues.assign(s, shared.routing(), decided.routing());
    VariableValues.assign(s, accumulating, new float[] {0f});
    loadImportance(s, decided.importance());
    plan = decided;
  }

  /** The plan in force, or null during warm-up. */
  public PearPlan plan() {
    return plan;
  }

  public PearConfig config() {
    return config;
  }

  public List<SiteSurvey.Site> positions() {
    return positions;
  }

  /** Every position's own adapter (the trainable variables), in position order. */
  public List<Adapter> adapters() {
    return shared.adapters();
  }

  public SharedAdapters shared() {
    return shared;
  }

  public AdapterShape shape() {
    return shape;
  }

  /** How many adapters the prune step keeps. */
  public int keptCount() {
    int n = positions.size();
    return n - PearPlan.pruneCount(n, config.getPruneRatio());
  }

  /** Stored adapter bytes after the prune step: the kept adapters only. */
  public long storedBytes() {
    SiteSurvey.Site s = positions.get(0);
    return keptCount() * AdapterStorage.adapterBytes(s.in(), shape.rank(), s.out(),
        shape.bits());
  }
}
