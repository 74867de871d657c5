package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.TfpeftException;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.KnowledgeCheckpoint;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.SbaWeights;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;
import tfpeft.peft.Adapter;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterWeights;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.TinyModels;
import tfpeft.peft.lora.LoraSite;

/**
 * Pear in a graph: positions, importance accumulation, and sharing through the routing, checked
 * against a model whose positions literally read the same variables.
 */
class PearGraphTest {
  static final ModelConfig MODEL = ModelConfig.newBuilder().setVit(TinyModels.VIT).build();
  static final LoraConfig LORA = LoraConfig.newBuilder().setRank(2).setScale(0.5f).build();
  static final PearConfig PEAR = PearConfig.newBuilder().setLora(LORA).setPruneRatio(0.5f)
      .build();
  static final List<String> SITES = List.of("block0/attn/q", "block0/attn/v", "block1/attn/q",
      "block1/attn/v");
  // kept: block0/attn/q (4), block1/attn/q (3); pruned by rank: block1/attn/v (2) takes
  // block0/attn/q, block0/attn/v (1) takes block1/attn/q
  static final double[] IMPORTANCE = {4, 1, 3, 2};

  /** A built tiny classifier with Pear attached, its loss and every adapter gradient. */
  record Built(Graph graph, Net net, Pear pear, VitClassifier.Endpoints model,
      Operand<TFloat32> loss, Map<String, Operand<TFloat32>> grads) implements AutoCloseable {
    @Override
    public void close() {
      graph.close();
    }
  }

  @SuppressWarnings("unchecked")
  static Built build(PearConfig c) {
    Graph g = new Graph();
    Net net = new Net(g, 2);
    Pear pear = new Pear(c, Pear.positions(c, MODEL));
    pear.attach(net);
    VitClassifier.Endpoints e = VitClassifier.build(net, TinyModels.VIT, TinyModels.CLASSES,
        false);
    Operand<TFloat32> loss = net.tf().math.mean(net.tf().math.square(e.logits()),
        net.tf().constant(new int[] {0, 1}));
    List<ModelVariable> vars = adapterVariables(net);
    Output<?>[] grads = g.addGradients(loss.asOutput(),
        vars.stream().map(v -> v.value().asOutput()).toArray(Output[]::new));
    Map<String, Operand<TFloat32>> byName = new HashMap<>();
    for (int i = 0; i < vars.size(); i++) {
      byName.put(vars.get(i).name(), (Operand<TFloat32>) grads[i]);
    }
    return new Built(g, net, pear, e, loss, byName);
  }

  /** Every adapter variable (Pear's state variables excluded). */
  static List<ModelVariable> adapterVariables(Net net) {
    return net.variables("peft/").stream()
        .filter(v -> !v.name().startsWith("peft/pear/state/")).toList();
  }

  static void randomize(Session s, List<ModelVariable> vars) {
    for (ModelVariable v : vars) {
      VariableValues.assign(s, v, TinyModels.noise((int) v.size(), v.name().hashCode(), 0.6f));
    }
  }

  static float[][] fetch(Session s, Net net, Operand<?>... ys) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(TinyModels.BATCH, 8, 8, 3),
        DataBuffers.of(TinyModels.images()));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(5, 6)) {
      Session.Runner r = s.runner().feed("images", x).feed(net.dropPathRate(), rate)
          .feed(net.stepSeed(), seed);
      for (Operand<?> y : ys) {
        r.fetch(y);
      }
      try (var out = r.run()) {
        float[][] v = new float[ys.length][];
        for (int i = 0; i < ys.length; i++) {
          TFloat32 t = (TFloat32) out.get(i);
          v[i] = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(v[i]);
        }
        return v;
      }
    }
  }

  @Test
  void positionsAreTheTargetedSitesOfOneShape() {
    assertEquals(SITES, Pear.positions(PEAR, MODEL).stream().map(SiteSurvey.Site::name)
        .toList());
    PearConfig af = PearConfig.newBuilder().setAdaptformer(AdaptFormerConfig.newBuilder()
        .setDim(2)).build();
    assertEquals(List.of("block0/mlp", "block1/mlp"), Pear.positions(af, MODEL).stream()
        .map(SiteSurvey.Site::name).toList());
    PearConfig mixed = PEAR.toBuilder().setLora(LORA.toBuilder().addTargets("block0/attn/q")
        .addTargets("block0/mlp/fc1")).build();
    TfpeftException e = assertThrows(TfpeftException.class, () -> Pear.positions(mixed, MODEL));
    assertTrue(e.getMessage().contains("one shape"), e.getMessage());
  }

  @Test
  void beforeThePruneStepEachPositionUsesItsOwnAdapter() {
    float[] reference = TinyModels.logits(2, net -> net.addHook(LoraSite.of(LORA,
        new AdapterBank("peft/lora/", LoraSite.shape(LORA)))),
        (net, s) -> copyPearValuesInto(net, s));
    try (Built b = build(PEAR); Session s = new Session(b.graph())) {
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      assertArrayEquals(reference, fetch(s, b.net(), b.model().logits())[0], 1e-6f);
    }
  }

  @Test
  void importanceAccumulatesTaylorScores() {
    try (Built b = build(PEAR); Session s = new Session(b.graph())) {
      var accumulate = b.pear().accumulateImportance(b.net(), v -> b.grads().get(v.name()));
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      List<Adapter> adapters = b.pear().adapters();
      List<Operand<?>> fetches = new ArrayList<>();
      for (Adapter a : adapters) {
        fetches.add(b.grads().get(a.down().name()));
        fetches.add(b.grads().get(a.up().name()));
      }
      float[][] g = fetch(s, b.net(), fetches.toArray(Operand[]::new));
      double[] expected = new double[adapters.size()];
      for (int p = 0; p < expected.length; p++) {
        expected[p] = TaylorImportance.score(VariableValues.read(s, adapters.get(p).down()),
            g[2 * p]) + TaylorImportance.score(VariableValues.read(s, adapters.get(p).up()),
            g[2 * p + 1]);
      }
      runTarget(s, b.net(), accumulate);
      runTarget(s, b.net(), accumulate);
      double[] got = b.pear().importance(s);
      for (int p = 0; p < expected.length; p++) {
        assertEquals(2 * expected[p], got[p], 1e-5 * expected[p]);
      }
      assertArrayEquals(got, b.pear().prune(s).importance(), 1e-9);
    }
  }

  @Test
  void aSharedAdaptersGradientIsTheSumOverItsPositions() {
    try (Built b = build(PEAR); Session s = new Session(b.graph())) {
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      b.pear().loadImportance(s, IMPORTANCE);
      PearPlan plan = b.pear().prune(s);
      assertArrayEquals(new int[] {0, 2, 2, 0}, plan.uses());
      // the gradient of each routed matrix (what a position computes with)
      SharedAdapters shared = b.pear().shared();
      List<Operand<TFloat32>> routed = new ArrayList<>();
      for (String site : SITES) {
        routed.add(shared.at(b.net(), site, 8, 8).down());
      }
      Output<?>[] perPosition = b.graph().addGradients(b.loss().asOutput(),
          routed.stream().map(Operand::asOutput).toArray(Output[]::new));
      List<Operand<?>> fetches = new ArrayList<>();
      for (Output<?> o : perPosition) {
        fetches.add(o);
      }
      for (String site : SITES) {
        fetches.add(b.grads().get("peft/pear/" + site + "/lora_a"));
      }
      float[][] v = fetch(s, b.net(), fetches.toArray(Operand[]::new));
      // block0/attn/q serves itself and block1/attn/v; block1/attn/q serves itself and
      // block0/attn/v; the pruned adapters get nothing
      assertArrayEquals(sum(v[0], v[3]), v[4], 1e-6f);
      assertArrayEquals(sum(v[2], v[1]), v[6], 1e-6f);
      assertArrayEquals(new float[v[5].length], v[5], 0f);
      assertArrayEquals(new float[v[7].length], v[7], 0f);
    }
  }

  @Test
  void sharingEqualsAModelWhosePositionsReadTheSameVariables() {
    Map<String, String> alias = Map.of("block1/attn/v", "block0/attn/q", "block0/attn/v",
        "block1/attn/q");
    float[][] pearOut;
    Map<String, float[]> pearValues;
    try (Built b = build(PEAR.toBuilder().setKnowledgeCheckpoint(KnowledgeCheckpoint.DA)
        .build()); Session s = new Session(b.graph())) {
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      b.pear().loadImportance(s, IMPORTANCE);
      b.pear().prune(s);
      pearValues = TinyModels.values(b.net(), s);
      pearOut = fetch(s, b.net(), b.model().logits(),
          b.grads().get("peft/pear/block0/attn/q/lora_a"),
          b.grads().get("peft/pear/block1/attn/q/lora_b"));
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Net net = new Net(g, 2);
      AdapterBank bank = new AdapterBank("peft/lora/", LoraSite.shape(LORA));
      AdapterWeights aliased = (n, site, in, out) -> bank.at(n, alias.getOrDefault(site, site),
          in, out);
      net.addHook(LoraSite.of(LORA, aliased));
      VitClassifier.Endpoints e = VitClassifier.build(net, TinyModels.VIT, TinyModels.CLASSES,
          false);
      Operand<TFloat32> loss = net.tf().math.mean(net.tf().math.square(e.logits()),
          net.tf().constant(new int[] {0, 1}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {
          net.variable("peft/lora/block0/attn/q/lora_a").value().asOutput(),
          net.variable("peft/lora/block1/attn/q/lora_b").value().asOutput()});
      s.initialize();
      for (ModelVariable v : net.variables()) {
        VariableValues.assign(s, v, pearValues.get(v.name().replace("peft/lora/",
            "peft/pear/")));
      }
      float[][] ref = fetch(s, net, e.logits(), grads[0], grads[1]);
      assertArrayEquals(ref[0], pearOut[0], 1e-6f);
      assertArrayEquals(ref[1], pearOut[1], 1e-6f);
      assertArrayEquals(ref[2], pearOut[2], 1e-6f);
    }
  }

  @Test
  void directAdditionAtThePruneStepChangesOnlyTheSharedAdapters() {
    List<Map<String, float[]>> v = beforeAndAfterPrune(PEAR.toBuilder()
        .setKnowledgeCheckpoint(KnowledgeCheckpoint.DA).build());
    Map<String, float[]> before = v.get(0);
    Map<String, float[]> after = v.get(1);
    String p = "peft/pear/";
    for (String m : List.of("/lora_a", "/lora_b")) {
      assertArrayEquals(sum(before.get(p + "block0/attn/q" + m),
          before.get(p + "block1/attn/v" + m)), after.get(p + "block0/attn/q" + m), 1e-6f);
      assertArrayEquals(sum(before.get(p + "block1/attn/q" + m),
          before.get(p + "block0/attn/v" + m)), after.get(p + "block1/attn/q" + m), 1e-6f);
      assertArrayEquals(before.get(p + "block0/attn/v" + m), after.get(p + "block0/attn/v" + m));
    }
  }

  /** Every variable's values before and after the prune step at {@link #IMPORTANCE}. */
  static List<Map<String, float[]>> beforeAndAfterPrune(PearConfig c) {
    try (Built b = build(c); Session s = new Session(b.graph())) {
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      Map<String, float[]> before = TinyModels.values(b.net(), s);
      b.pear().loadImportance(s, IMPORTANCE);
      b.pear().prune(s);
      return List.of(before, TinyModels.values(b.net(), s));
    }
  }

  @Test
  void sbaByDefaultIsThePlainMeanAsThePaperSetsItsWeightsByHand() {
    // importance 4 (kept, block0/attn/q) and 2 (pruned, block1/attn/v) play no part: a_s = a_p
    checkSba(PEAR.toBuilder().setKnowledgeCheckpoint(KnowledgeCheckpoint.SBA).build(), 1, 1);
  }

  @Test
  void sbaWithImportanceWeightsWeighsTheAdaptersByTheirScores() {
    checkSba(PEAR.toBuilder().setKnowledgeCheckpoint(KnowledgeCheckpoint.SBA)
        .setSbaWeights(SbaWeights.IMPORTANCE).build(), IMPORTANCE[0], IMPORTANCE[3]);
  }

  /** block0/attn/q (kept) absorbs block1/attn/v (pruned): (as M_s + ap M_p) / (as + ap). */
  static void checkSba(PearConfig c, double as, double ap) {
    List<Map<String, float[]>> v = beforeAndAfterPrune(c);
    String p = "peft/pear/";
    for (String m : List.of("/lora_a", "/lora_b")) {
      float[] shared = v.get(0).get(p + "block0/attn/q" + m);
      float[] pruned = v.get(0).get(p + "block1/attn/v" + m);
      float[] expected = new float[shared.length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (float) ((as * shared[i] + ap * pruned[i]) / (as + ap));
      }
      assertArrayEquals(expected, v.get(1).get(p + "block0/attn/q" + m), 1e-6f);
    }
  }

  @Test
  void vanillaPruningEqualsLoraOnTheKeptPositionsOnly() {
    float[] pearLogits;
    Map<String, float[]> values;
    try (Built b = build(PEAR.toBuilder().setShare(false).build());
        Session s = new Session(b.graph())) {
      s.initialize();
      randomize(s, adapterVariables(b.net()));
      b.pear().loadImportance(s, IMPORTANCE);
      b.pear().prune(s);
      values = TinyModels.values(b.net(), s);
      pearLogits = fetch(s, b.net(), b.model().logits())[0];
    }
    LoraConfig kept = LORA.toBuilder().addTargets("block0/attn/q").addTargets("block1/attn/q")
        .build();
    float[] reference = TinyModels.logits(2, net -> net.addHook(LoraSite.of(kept,
        new AdapterBank("peft/lora/", LoraSite.shape(kept)))), (net, s) -> {
          for (ModelVariable v : net.variables()) {
            VariableValues.assign(s, v, values.get(v.name().replace("peft/lora/",
                "peft/pear/")));
          }
        });
    assertArrayEquals(reference, pearLogits, 1e-6f);
  }

  @Test
  void storedBytesCountTheKeptAdaptersOnly() {
    Pear pear = new Pear(PEAR, Pear.positions(PEAR, MODEL));
    assertEquals(2, pear.keptCount());
    assertEquals(2 * (8 * 2 + 2 * 8) * 4, pear.storedBytes());
    PearConfig oneBit = PEAR.toBuilder().setLora(LORA.toBuilder().setBits(1)).build();
    // 16 weights -> 2 bytes + mean and std, per matrix
    assertEquals(2 * 2 * (2 + 8), new Pear(oneBit, Pear.positions(oneBit, MODEL))
        .storedBytes());
  }

  /** Fills a LoRA net's variables with the values {@link #randomize} gives the Pear ones. */
  static void copyPearValuesInto(Net net, Session s) {
    for (ModelVariable v : net.variables("peft/")) {
      String pearName = v.name().replace("peft/lora/", "peft/pear/");
      VariableValues.assign(s, v, TinyModels.noise((int) v.size(), pearName.hashCode(), 0.6f));
    }
  }

  static void runTarget(Session s, Net net, org.tensorflow.op.Op target) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(TinyModels.BATCH, 8, 8, 3),
        DataBuffers.of(TinyModels.images()));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(5, 6)) {
      s.runner().feed("images", x).feed(net.dropPathRate(), rate).feed(net.stepSeed(), seed)
          .addTarget(target).run();
    }
  }

  static float[] sum(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }
}
