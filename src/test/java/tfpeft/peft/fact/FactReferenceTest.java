package tfpeft.peft.fact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.FactConfig;
import tfpeft.config.proto.FactForm;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.ExportContext;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.MethodRegistry;

/**
 * FacT's logits against an independent PyTorch reference (tools/make_fact_fixtures.py: the tiny
 * ViT of fixtures/models/vit with the paper's and the official code's FacT increments, rank 3,
 * scale 0.7), before and after export folds the increments into the weights.
 */
class FactReferenceTest {
  static final double TOLERANCE = 1e-5;
  /** As tools/make_fact_fixtures.py writes the fixtures. */
  static final int RANK = 3;
  static final float SCALE = 0.7f;

  @Test
  void factTtGivesTheReferenceLogitsInTheGraphAndFolded() {
    check(FactConfig.newBuilder().setForm(FactForm.TT), "tt.npz", "tt_logits.npy");
  }

  @Test
  void factTkGivesTheReferenceLogitsInTheGraphAndFolded() {
    check(FactConfig.newBuilder().setForm(FactForm.TK), "tk.npz", "tk_logits.npy");
  }

  @Test
  void factTkWithTheOfficialMlpReshapeGivesTheOfficialCodesLogits() {
    check(FactConfig.newBuilder().setForm(FactForm.TK).setOfficialMlpReshape(true), "tk.npz",
        "tk_official_logits.npy");
  }

  private static void check(FactConfig.Builder fact, String factors, String logits) {
    float[][] got = logits(fact.setRank(RANK).setScale(SCALE).build(), factors);
    float[] want = NpyReader.read(fixture("fact/" + logits)).data();
    assertClose("graph", got[0], want);
    assertClose("folded", got[1], want);
  }

  /** The logits of the fixture ViT with {@code factors} assigned: in the graph, then folded. */
  static float[][] logits(FactConfig fact, String factors) {
    LoadedBackbone b = Backbones.load(WeightsConfig.newBuilder()
        .setPath(fixture("models/vit/google.npz").toString()).build(), null);
    RunConfig config = RunConfig.newBuilder().setModel(b.model())
        .setMethod(MethodConfig.newBuilder().setFact(fact)).build();
    Method method = MethodRegistry.builtIn().create(config.getMethod());
    NamedTensor images = NpyReader.read(fixture("models/images.npy"));
    TensorFile values = NpzReader.read(fixture("fact/" + factors));
    List<String> classes = new ArrayList<>();
    for (int i = 0; i < b.headClasses(); i++) {
      classes.add("class " + i);
    }
    try (Graph g = new Graph()) {
      Net net = Net.serving(g, 1);
      method.hooks(new MethodContext(config, net, classes)).forEach(net::addHook);
      BuiltModel m = BuiltModel.build(net, b.model(), b.headClasses(), false);
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(images.shape()),
              DataBuffers.of(images.data(), true, false))) {
        s.initialize();
        b.assignTo(s, net);
        assertEquals(values.names().stream().sorted().toList(), net.variables("peft/fact/")
            .stream().map(ModelVariable::name).sorted().toList(), "the fixture's factors");
        for (String name : values.names()) {
          VariableValues.assign(s, net.variable(name), values.get(name).data());
        }
        float[] graph = run(s, m, in);
        method.exportTransform(new ExportContext(config, net, s));
        return new float[][] {graph, run(s, m, in)};
      }
    }
  }

  private static float[] run(Session s, BuiltModel m, TFloat32 in) {
    try (var r = s.runner().feed(m.images(), in).fetch(m.logits()).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static void assertClose(String what, float[] got, float[] want) {
    assertEquals(want.length, got.length, what);
    double diff = 0;
    for (int i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs((double) got[i] - want[i]));
    }
    System.out.printf("FacT vs the PyTorch reference, %s: max |logit difference| %.2g%n", what,
        diff);
    assertTrue(diff <= TOLERANCE, what + ": max |logit difference| " + diff);
  }

  static Path fixture(String name) {
    URL url = FactReferenceTest.class.getResource("/fixtures/" + name);
    if (url == null) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_fact_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
