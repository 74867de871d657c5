package tfpeft.peft.clipadapter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ClipGraph;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodReference;

/**
 * CLIP-Adapter's logits on the tiny CLIP fixture against tools/make_clip_adapter_fixtures.py,
 * which applies the paper's Eq. 1-4 in torch to the fixture's own torch image and text features.
 */
class ClipAdapterReferenceTest {
  @Test
  void theImageAdapterGivesTheReferenceLogits() {
    TensorFile fixture = NpzReader.read(resource("/fixtures/methods/clip_adapter.npz"));
    float[] logits = logits(fixture, List.of(new FeatureAdapter.Tower(
        FeatureAdapter.VISUAL_SITE, "visual", 0.2f)));
    assertClose(fixture.get("logits").data(), logits);
  }

  @Test
  void theImageAndTextAdaptersTogetherGiveTheReferenceLogits() {
    TensorFile fixture = NpzReader.read(resource("/fixtures/methods/clip_adapter_both.npz"));
    float[] logits = logits(fixture, List.of(
        new FeatureAdapter.Tower(FeatureAdapter.VISUAL_SITE, "visual", 0.2f),
        new FeatureAdapter.Tower(FeatureAdapter.TEXT_SITE, "text", 0.6f)));
    assertClose(fixture.get("logits").data(), logits);
  }

  private static void assertClose(float[] want, float[] got) {
    double diff = MethodReference.maxDifference(want, got);
    assertTrue(diff <= MethodReference.TOLERANCE, "max |logit difference| " + diff);
  }

  /**
   * The fixture CLIP with the adapter hook, its variables from the fixture: the logits of the
   * fixture's images against its text prompts' features (through the text hook when present).
   */
  private static float[] logits(TensorFile fixture, List<FeatureAdapter.Tower> towers) {
    LoadedBackbone base = Backbones.load(WeightsConfig.newBuilder().setPath(
        resource("/fixtures/models/clip/openai.safetensors").toString()).build(),
        ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setVisionHeads(4)
            .setTextHeads(4)).build());
    NamedTensor images = NpyReader.read(resource("/fixtures/models/images.npy"));
    NamedTensor ids = NpyReader.read(resource("/fixtures/models/clip/text_ids.npy"));
    int[] idValues = new int[ids.size()];
    for (int i = 0; i < idValues.length; i++) {
      idValues[i] = (int) ids.data()[i];
    }
    int e = base.model().getClip().getEmbedDim();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      net.addHook(new FeatureAdapter("peft/clip_adapter/", 4, towers));
      ClipGraph clip = BuiltModel.build(net, base.model(), 1, false).clip();
      List<Tensor> owned = new ArrayList<>();
      try (Session s = new Session(g)) {
        s.initialize();
        base.assignTo(s, net);
        int set = 0;
        for (ModelVariable v : net.variables()) {
          if (fixture.contains(v.name())) {
            VariableValues.assign(s, v, fixture.get(v.name()).data());
            set++;
          }
        }
        if (set != fixture.size() - 1) {
          throw new IllegalStateException("the graph has " + set + " of the fixture's "
              + (fixture.size() - 1) + " adapter tensors");
        }
        TFloat32 in = TFloat32.tensorOf(Shape.of(images.shape()), DataBuffers.of(images.data(),
            true, false));
        owned.add(in);
        TInt32 text = TInt32.tensorOf(Shape.of(ids.shape()), DataBuffers.of(idValues, true,
            false));
        owned.add(text);
        float[] textFeatures;
        try (var r = s.runner().feed(clip.textIds(), text).fetch(clip.textFeatures()).run()) {
          textFeatures = floats(r.get(0));
        }
        float[][] rows = new float[textFeatures.length / e][];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = ClipClassifier.normalize(java.util.Arrays.copyOfRange(textFeatures, i * e,
              (i + 1) * e));
        }
        TFloat32 classes = ClipClassifier.tensor(rows);
        owned.add(classes);
        try (var r = s.runner().feed(clip.images(), in).feed(clip.classFeatures(), classes)
            .fetch(clip.logits()).run()) {
          return floats(r.get(0));
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  private static float[] floats(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.size()];
    f.asRawTensor().data().asFloats().read(out);
    return out;
  }

  private static Path resource(String name) {
    try {
      return Path.of(ClipAdapterReferenceTest.class.getResource(name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_clip_adapter_fixtures.py", e);
    }
  }
}
