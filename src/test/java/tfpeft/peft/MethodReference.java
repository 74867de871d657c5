package tfpeft.peft;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;

/**
 * A method's hooks on the tiny ViT of fixtures/models/vit/google.npz, its variables set from a
 * reference fixture that tools/make_method_fixtures.py wrote with torch (the method's formula
 * applied by an independent implementation), and the logits both give on
 * fixtures/models/images.npy.
 */
public final class MethodReference {
  /** Max |logit difference| allowed between tfpeft's float32 graph and the reference. */
  public static final double TOLERANCE = 1e-5;

  private final TensorFile fixture;

  private MethodReference(TensorFile fixture) {
    this.fixture = fixture;
  }

  /** The fixture {@code fixtures/methods/<name>}. */
  public static MethodReference of(String name) {
    return new MethodReference(NpzReader.read(resource("/fixtures/methods/" + name)));
  }

  public float[] expectedLogits() {
    return fixture.get("logits").data();
  }

  public TensorFile tensors() {
    return fixture;
  }

  /**
   * tfpeft's logits with the hook {@code hooks} makes from the net and the fixture ViT's model
   * config (its variables created there or while the ViT is built), every variable the fixture names set to the fixture's values.
   */
  public float[] logits(BiFunction<Net, ModelConfig, SiteHook> hooks) {
    LoadedBackbone base = Backbones.load(WeightsConfig.newBuilder().setPath(
        resource("/fixtures/models/vit/google.npz").toString()).build(), null);
    NamedTensor images = NpyReader.read(resource("/fixtures/models/images.npy"));
    ModelConfig model = base.model();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      net.addHook(hooks.apply(net, model));
      BuiltModel m = BuiltModel.build(net, model, base.headClasses(), false);
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(images.shape()),
              DataBuffers.of(images.data(), true, false))) {
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
              + (fixture.size() - 1) + " method tensors");
        }
        try (var r = s.runner().feed(m.images(), in).fetch(m.logits()).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          float[] out = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(out);
          return out;
        }
      }
    }
  }

  /** Max |a - b|. */
  public static double maxDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length + " values");
    }
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs((double) a[i] - b[i]));
    }
    return d;
  }

  private static Path resource(String name) {
    URL url = MethodReference.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_method_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
