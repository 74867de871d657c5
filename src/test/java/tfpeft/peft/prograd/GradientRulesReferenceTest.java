package tfpeft.peft.prograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.Distillation;
import tfpeft.peft.GradientContext;
import tfpeft.peft.mask.GradientAgreement;

/**
 * ProGrad's projection and AgreeGrad's sign agreement against the torch reference of
 * tools/make_gradient_rule_fixtures.py (fixtures/gradrules/gradient_rules.json): on given pairs
 * of gradients, and on a tiny prompted classifier whose two gradients the graph computes.
 */
class GradientRulesReferenceTest {
  static final float TOL = 1e-5f;
  static final JsonObject FIXTURE = load();

  @Test
  void projectionOnHostMatchesTheReference() {
    for (JsonObject p : pairs()) {
      assertArrayEquals(floats(p, "projection"), GradientProjection.apply(floats(p, "a"),
          floats(p, "b"), p.get("lambda").getAsFloat()), TOL, p.get("name").getAsString());
    }
  }

  @Test
  void projectionAsGraphOpsMatchesTheReference() {
    for (JsonObject p : pairs()) {
      long[] shape = shape(p);
      float[] got = run((tf) -> GradientProjection.apply(tf,
          tf.reshape(tf.constant(floats(p, "a")), tf.constant(shape)),
          tf.reshape(tf.constant(floats(p, "b")), tf.constant(shape)),
          tf.constant(p.get("lambda").getAsFloat())));
      assertArrayEquals(floats(p, "projection"), got, TOL, p.get("name").getAsString());
    }
  }

  @Test
  void agreementOnHostAndAsGraphOpsMatchesTheReference() {
    for (JsonObject p : pairs()) {
      long[] shape = shape(p);
      assertArrayEquals(floats(p, "agreement"), GradientAgreement.apply(floats(p, "a"),
          floats(p, "b")), TOL, p.get("name").getAsString());
      float[] got = run((tf) -> GradientAgreement.apply(tf,
          tf.reshape(tf.constant(floats(p, "a")), tf.constant(shape)),
          tf.reshape(tf.constant(floats(p, "b")), tf.constant(shape))));
      assertArrayEquals(floats(p, "agreement"), got, TOL, p.get("name").getAsString());
    }
  }

  @Test
  void theDistillationGradientAndTheProjectedStepOfAPromptedClassifierMatchTheReference() {
    JsonObject m = FIXTURE.getAsJsonObject("model");
    int n = m.get("n").getAsInt();
    int d = m.get("d").getAsInt();
    int c = m.get("c").getAsInt();
    assertTrue(m.get("dot").getAsDouble() < 0, "the fixture's gradients must conflict");
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      ModelVariable w = net.variable("peft/coop/w", new long[] {d, c}, new Init.Constant(0f));
      Operand<TFloat32> x = tf.reshape(tf.constant(floats(m, "x")), tf.constant(new long[] {n, d}));
      Operand<TFloat32> teacher = tf.reshape(tf.constant(floats(m, "teacher")),
          tf.constant(new long[] {n, c}));
      Operand<TFloat32> logits = tf.linalg.matMul(x, w.value());
      Operand<TInt32> labels = tf.constant(m.getAsJsonArray("labels").asList().stream()
          .mapToInt(e -> e.getAsInt()).toArray());
      Operand<TFloat32> ce = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits,
          tf.oneHot(labels, tf.constant(c), tf.constant(1f), tf.constant(0f))).loss(),
          tf.constant(0));
      Operand<TFloat32> kl = Distillation.softCrossEntropy(tf, logits, teacher,
          m.get("temperature").getAsFloat());
      @SuppressWarnings("unchecked")
      Operand<TFloat32> gce = (Operand<TFloat32>) g.addGradients("ce_gradients",
          new Output<?>[] {ce.asOutput()}, new Output<?>[] {w.value().asOutput()}, null)[0];
      GradientContext ctx = new GradientContext(net, ce, ce, logits);
      Operand<TFloat32> gkl = ctx.gradientsOf(kl, List.of(w), "kl_gradients").get(0);
      Operand<TFloat32> projected = GradientProjection.apply(tf, List.of(gce), List.of(gkl),
          tf.constant(m.get("lambda").getAsFloat())).get(0);
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, w, floats(m, "w"));
        assertArrayEquals(floats(m, "g_ce"), fetch(s, gce), TOL, "cross-entropy gradient");
        assertArrayEquals(floats(m, "g_kl"), fetch(s, gkl), TOL, "distillation gradient");
        assertArrayEquals(floats(m, "projected"), fetch(s, projected), TOL, "projected");
      }
    }
  }

  @Test
  void aSecondGradientOfTheSameLossGoesUnderAFreshScope() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      ModelVariable w = net.variable("peft/coop/w", new long[] {2}, new Init.Constant(1f));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(w.value()), tf.constant(0));
      GradientContext ctx = new GradientContext(net, loss, loss, loss);
      Operand<TFloat32> first = ctx.gradientsOf(loss, List.of(w), "again").get(0);
      Operand<TFloat32> second = ctx.gradientsOf(loss, List.of(w), "again").get(0);
      try (Session s = new Session(g)) {
        s.initialize();
        assertArrayEquals(new float[] {2f, 2f}, fetch(s, first), 0f);
        assertArrayEquals(new float[] {2f, 2f}, fetch(s, second), 0f);
      }
    }
  }

  private interface Build {
    Operand<TFloat32> apply(Ops tf);
  }

  private static float[] run(Build build) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Operand<TFloat32> y = build.apply(Ops.create(g));
      return fetch(s, y);
    }
  }

  private static float[] fetch(Session s, Operand<TFloat32> y) {
    try (var r = s.runner().fetch(y).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static List<JsonObject> pairs() {
    return FIXTURE.getAsJsonArray("pairs").asList().stream().map(e -> e.getAsJsonObject())
        .toList();
  }

  private static long[] shape(JsonObject p) {
    return p.getAsJsonArray("shape").asList().stream().mapToLong(e -> e.getAsLong()).toArray();
  }

  private static float[] floats(JsonObject o, String key) {
    JsonArray a = o.getAsJsonArray(key);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  private static JsonObject load() {
    try (Reader r = new InputStreamReader(GradientRulesReferenceTest.class.getResourceAsStream(
        "/fixtures/gradrules/gradient_rules.json"), StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(r).getAsJsonObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
