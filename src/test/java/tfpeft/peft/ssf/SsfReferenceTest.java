package tfpeft.peft.ssf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SsfConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.ExportContext;
import tfpeft.peft.MethodContext;

/**
 * SSF against tools/make_ssf_fixture.py: a tiny ViT with scales and shifts computed by torch
 * after the official code, and the same model re-parameterized in torch (the paper's Eq. 2).
 */
class SsfReferenceTest {
  static final double TOLERANCE = 1e-5;
  static final VitConfig VIT = VitConfig.newBuilder().setImageSize(16).setPatchSize(4)
      .setWidth(16).setDepth(2).setHeads(2).setMlpRatio(2).build();
  static final RunConfig RUN = RunConfig.newBuilder()
      .setModel(ModelConfig.newBuilder().setVit(VIT))
      .setMethod(MethodConfig.newBuilder().setSsf(SsfConfig.getDefaultInstance())).build();
  static final int CLASSES = 3;

  static TensorFile reference() {
    try {
      return NpzReader.read(Path.of(SsfReferenceTest.class
          .getResource("/fixtures/ssf/reference.npz").toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tiny ViT, SSF's hooks on it when {@code ssf} is given, every variable from the file. */
  static final class Model implements AutoCloseable {
    final Graph g = new Graph();
    final Net net = new Net(g, 1);
    final VitClassifier.Endpoints e;
    final Session s;

    Model(Ssf ssf, TensorFile values, String prefix) {
      if (ssf != null) {
        ssf.hooks(new MethodContext(RUN, net, List.of("a", "b", "c"))).forEach(net::addHook);
      }
      e = VitClassifier.build(net, VIT, CLASSES, false);
      s = new Session(g);
      s.initialize();
      for (ModelVariable v : net.variables()) {
        String key = (v.name().startsWith("backbone/") ? prefix : "") + v.name();
        VariableValues.assign(s, v, values.get(key).data());
      }
    }

    float[] logits(NamedTensor images) {
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(images.shape()),
          DataBuffers.of(images.data(), true, false));
          var r = s.runner().feed(e.images(), x).fetch(e.logits()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }

    @Override
    public void close() {
      s.close();
      g.close();
    }
  }

  static double maxDifference(float[] a, float[] b) {
    assertEquals(b.length, a.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void scaledAndShiftedLogitsMatchTheTorchReference() {
    TensorFile ref = reference();
    try (Model m = new Model(new Ssf(RUN.getMethod()), ref, "")) {
      // every scale and shift of the reference has its variable here, and no other
      TreeSet<String> ours = new TreeSet<>();
      m.net.variables("peft/ssf/").forEach(v -> ours.add(v.name()));
      TreeSet<String> theirs = new TreeSet<>();
      ref.names().stream().filter(n -> n.startsWith("peft/ssf/")).forEach(theirs::add);
      assertEquals(theirs, ours);
      double d = maxDifference(m.logits(ref.get("images")), ref.get("logits").data());
      System.out.printf("ssf reference: with scale and shift, max |logit difference| %.2e%n", d);
      assertTrue(d < TOLERANCE, "max |logit difference| " + d);
    }
  }

  @Test
  void exportFoldsIntoTheWeightsAsTorchReparameterizesAndThePlainBackboneGivesItsLogits() {
    TensorFile ref = reference();
    Ssf ssf = new Ssf(RUN.getMethod());
    List<NamedTensor> folded = new ArrayList<>();
    try (Model m = new Model(ssf, ref, "")) {
      ssf.exportTransform(new ExportContext(RUN, m.net, m.s));
      for (ModelVariable v : m.net.variables()) {
        float[] value = VariableValues.read(m.s, v);
        if (v.name().startsWith("backbone/")) {
          double d = maxDifference(value, ref.get("folded/" + v.name()).data());
          assertTrue(d < TOLERANCE, v.name() + ": max |difference| " + d);
        }
        folded.add(new NamedTensor(v.name(), v.shape().asArray(), value));
      }
      // the hooks, left in place, are now the identity
      double d = maxDifference(m.logits(ref.get("images")), ref.get("logits_folded").data());
      assertTrue(d < TOLERANCE, "hooked graph after folding: max |logit difference| " + d);
    }
    // served: the backbone alone, no SSF op, on the folded values
    try (Model plain = new Model(null, new TensorFile(Path.of("folded"), folded), "")) {
      assertTrue(plain.net.variables("peft/").isEmpty());
      double d = maxDifference(plain.logits(ref.get("images")), ref.get("logits_folded").data());
      System.out.printf("ssf reference: plain backbone, folded, max |logit difference| %.2e%n",
          d);
      assertTrue(d < TOLERANCE, "plain backbone, folded: max |logit difference| " + d);
    }
  }
}
