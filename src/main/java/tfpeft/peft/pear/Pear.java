package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.SbaWeights;
import tfpeft.model.Init;
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
import tfpeft.peft.adaptformer.AdaptFormerBranch;
import tfpeft.peft.lora.LoraSite;

/**
 * Pear (prune and share) and vanilla pruning over LoRA or AdaptFormer adapters, in three acts:
 * warm-up, where every position trains its own adapter and first-order Taylor importance
 * accumulates ({@link TaylorImportance}); the prune step ({@link #prune}), which decides the
 * {@link PearPlan}, applies the knowledge checkpoint ({@link PrunedKnowledge}) and re-points the
 * routing ({@link SharedAdapters}); and training of the kept adapters at all the positions they
 * serve.
 *
 * <p>Variables: each position's adapter under {@code peft/pear/<site>/}, and two that never
 * train, {@code peft/pear/state/routing_offset} and {@code peft/pear/state/importance}; being
 * model variables, they go into every checkpoint with the weights.
 */
public final class Pear {
  public static final String PREFIX = "peft/pear/";

  private final PearConfig config;
  private final List<SiteSurvey.Site> positions;
  private final AdapterShape shape;
  private final SharedAdapters shared;
  private final SiteHook hook;
  private ModelVariable importance;
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

  /** The site hook to add to the backbone (LoRA paths or AdaptFormer branches). */
  public SiteHook hook() {
    return hook;
  }

  /** Creates every position's variables and Pear's state; the hook then reads them. */
  public void build(Net net) {
    shared.build(net);
    importance = net.variable(PREFIX + SharedAdapters.STATE + "importance",
        new long[] {positions.size()}, Init.zeros());
  }

  /** {@link #build} and the hook added to {@code net}: everything but the backbone. */
  public void attach(Net net) {
    net.addHook(hook);
    build(net);
  }

  /**
   * The op that adds one step's Taylor scores to the importance, given the gradient of each
   * adapter variable; run it with every optimizer step of the warm-up.
   */
  public Op accumulateImportance(Net net, Function<ModelVariable, Operand<TFloat32>> gradientOf) {
    Ops tf = net.scope(PREFIX + "accumulate_importance");
    Operand<TFloat32> scores = TaylorImportance.stepScores(tf, config.getImportance(),
        shared.adapters(),
        a -> List.of(gradientOf.apply(a.down()), gradientOf.apply(a.up())));
    return tf.assignAdd(importance.variable(), scores);
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

  /** Sets the accumulated importance. */
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
    PearPlan decided = PearPlan.decide(sites(), importance(s), config.getPruneRatio(),
        config.getShare());
    PrunedKnowledge.Rule rule = new PrunedKnowledge.Rule(config.getKnowledgeCheckpoint(),
        config.getSbaWeights() == SbaWeights.IMPORTANCE, config.getSbaSharedWeight(),
        config.getSbaPrunedWeight());
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
    VariableValues.assign(s, shared.routingOffset(),
        SharedAdapters.offset(decided.routing(), decided.size()));
    plan = decided;
    return decided;
  }

  /**
   * Takes back a plan decided earlier (resuming after the prune step); the routing and the
   * weights come back with the checkpoint's variables.
   */
  public void restore(PearPlan decided) {
    if (!decided.sites().equals(sites())) {
      throw TfpeftException.usage("the Pear plan is for positions " + decided.sites()
          + " but the model built from the config has " + sites());
    }
    plan = decided;
  }

  /**
   * Gives a built net's Pear state variables the routing and importance of {@code plan}, as the
   * prune step left them: what a model restored from stored adapters (which carry the plan, not
   * these variables) computes with.
   */
  public static void assignPlan(Session s, Net net, PearPlan plan) {
    int n = plan.size();
    VariableValues.assign(s, net.variable(PREFIX + SharedAdapters.STATE + "routing_offset"),
        SharedAdapters.offset(plan.routing(), n));
    float[] importance = new float[n];
    for (int p = 0; p < n; p++) {
      importance[p] = (float) plan.importance()[p];
    }
    VariableValues.assign(s, net.variable(PREFIX + SharedAdapters.STATE + "importance"),
        importance);
  }

  private List<String> sites() {
    return positions.stream().map(SiteSurvey.Site::name).toList();
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

  /** The adapters that train now: all during warm-up, the kept ones after the prune step. */
  public List<Adapter> training() {
    if (plan == null) {
      return adapters();
    }
    return plan.kept().stream().map(p -> adapters().get(p)).toList();
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
    return storedBytes(keptCount());
  }

  /** Stored bytes of {@code adapters} adapters (every position's, before the prune step). */
  public long storedBytes(int adapters) {
    SiteSurvey.Site s = positions.get(0);
    return adapters * AdapterStorage.adapterBytes(s.in(), shape.rank(), s.out(), shape.bits());
  }
}
