package tfpeft.peft.cocoop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipGraph;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;

/**
 * CoCoOp's per-image prompts and logits against tools/make_cocoop_fixture.py: the tiny CLIP of
 * the model fixtures with a context and meta-net, computed by torch as the official
 * trainers/cocoop.py does (each image's shifted context in every class prompt, one text pass
 * per image).
 */
class CocoopReferenceTest {
  static final double TOLERANCE = 1e-5;
  static final int N_CTX = 2;
  static final int RATIO = 4;

  static Path fixture(String name) {
    try {
      return Path.of(CocoopReferenceTest.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void perImagePromptsGiveTheReferenceLogits() {
    assertClose("logits", run(false), REF.get("logits").data());
  }

  @Test
  void theMetaNetMapsTheNormalizedImageFeatureToTheReferenceShift() {
    assertClose("pi", run(true), REF.get("pi").data());
  }

  static final TensorFile REF = NpzReader.read(fixture("methods/cocoop.npz"));

  /** The logits, or the meta-net's output pi = h(x) [N, D], on the fixture's images. */
  static float[] run(boolean metaNetOutput) {
    LoadedBackbone clip = Backbones.load(WeightsConfig.newBuilder().setPath(
        fixture("models/clip/openai.safetensors").toString()).build(), ModelConfig.newBuilder()
        .setClip(ClipConfig.newBuilder().setVisionHeads(4).setTextHeads(4)).build());
    NamedTensor images = NpyReader.read(fixture("models/images.npy"));
    NamedTensor ids = REF.get("class_ids");
    int[][] rows = new int[(int) ids.shape()[0]][(int) ids.shape()[1]];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < rows[i].length; j++) {
        rows[i][j] = (int) ids.data()[i * rows[i].length + j];
      }
    }
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      ClipConfig c = clip.model().getClip();
      ClipGraph graph = BuiltModel.build(net, clip.model(), 1, false).clip();
      Operand<TFloat32> context = net.variable(Cocoop.CONTEXT,
          new long[] {N_CTX, c.getTextWidth()}, Init.normal(0.02f)).value();
      Operand<TInt32> classIds = net.tf().constant(rows);
      Operand<TFloat32> out = ConditionedPrompts.logits(net, ClipModel.spec(c),
          graph.imageFeatures(), context, classIds, 1, RATIO);
      if (metaNetOutput) {
        // the same variables, read again on the normalized feature
        out = MetaNet.apply(net, ClipModel.normalize(net.tf(), graph.imageFeatures()),
            c.getEmbedDim(), RATIO, c.getTextWidth());
      }
      try (Session s = new Session(g);
          TFloat32 x = TFloat32.tensorOf(Shape.of(images.shape()),
              DataBuffers.of(images.data(), true, false))) {
        s.initialize();
        clip.assignTo(s, net);
        for (ModelVariable v : net.variables(Cocoop.SCOPE)) {
          VariableValues.assign(s, v, REF.get(v.name()).data());
        }
        try (var r = s.runner().feed(graph.images(), x).fetch(out).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          float[] got = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(got);
          return got;
        }
      }
    }
  }

  static void assertClose(String what, float[] got, float[] want) {
    assertTrue(got.length == want.length, got.length + " " + what + ", want " + want.length);
    double diff = 0;
    for (int i = 0; i < got.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
    }
    assertTrue(diff <= TOLERANCE, "max |" + what + " - torch's| " + diff);
  }
}
