package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipGraph;
import tfpeft.model.Net;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;

/**
 * The model fixtures written by tools/make_model_fixtures.py (tiny models run by independent
 * implementations, their weights in foreign layouts, and their outputs), and running tfpeft's
 * graph on them.
 */
final class ModelFixtures {
  /** The tolerance on max |a - b| / max |b| against the recorded outputs. */
  static final double TOLERANCE = 1e-4;

  private ModelFixtures() {}

  static Path path(String name) {
    URL url = ModelFixtures.class.getResource("/fixtures/models/" + name);
    if (url == null) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_model_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static NamedTensor npy(String name) {
    return NpyReader.read(path(name));
  }

  static WeightsConfig weights(Path path, WeightsFormat format, String... ignore) {
    return WeightsConfig.newBuilder().setPath(path.toString()).setFormat(format)
        .addAllIgnore(List.of(ignore)).build();
  }

  static WeightsConfig weights(String fixture, String... ignore) {
    return weights(path(fixture), WeightsFormat.AUTO, ignore);
  }

  /** The outputs of tfpeft's graph of a loaded backbone on images.npy. */
  record Outputs(float[] logits, float[] features, float[] imageFeatures, float[] textFeatures) {}

  /** A ViT: logits and head input features on images.npy. */
  static Outputs runVit(LoadedBackbone b) {
    NamedTensor images = npy("images.npy");
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      BuiltModel m = BuiltModel.build(net, b.model(), Math.max(1, b.headClasses()), false);
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(images.shape()),
              DataBuffers.of(images.data(), true, false))) {
        s.initialize();
        b.assignTo(s, net);
        try (var r = s.runner().feed(m.images(), in).fetch(m.logits()).fetch(m.features())
            .run()) {
          return new Outputs(floats(r.get(0)), floats(r.get(1)), null, null);
        }
      }
    }
  }

  /** A CLIP: image features of images.npy, text features of text_ids.npy, and their logits. */
  static Outputs runClip(LoadedBackbone b) {
    NamedTensor images = npy("images.npy");
    NamedTensor ids = npy("clip/text_ids.npy");
    int[] idValues = new int[ids.size()];
    for (int i = 0; i < idValues.length; i++) {
      idValues[i] = (int) ids.data()[i];
    }
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      ClipGraph clip = BuiltModel.build(net, b.model(), 1, false).clip();
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(images.shape()),
              DataBuffers.of(images.data(), true, false));
          TInt32 text = TInt32.tensorOf(Shape.of(ids.shape()), DataBuffers.of(idValues, true,
              false))) {
        s.initialize();
        b.assignTo(s, net);
        float[] image;
        float[] textFeatures;
        try (var r = s.runner().feed(clip.images(), in).feed(clip.textIds(), text)
            .fetch(clip.imageFeatures()).fetch(clip.textFeatures()).run()) {
          image = floats(r.get(0));
          textFeatures = floats(r.get(1));
        }
        int e = b.model().getClip().getEmbedDim();
        float[] classes = normalizeRows(textFeatures, e);
        try (TFloat32 cf = TFloat32.tensorOf(Shape.of(classes.length / e, e),
            DataBuffers.of(classes, true, false));
            var r = s.runner().feed(clip.images(), in).feed(clip.classFeatures(), cf)
                .fetch(clip.logits()).run()) {
          return new Outputs(floats(r.get(0)), null, image, textFeatures);
        }
      }
    }
  }

  private static float[] normalizeRows(float[] x, int cols) {
    float[] out = new float[x.length];
    for (int r = 0; r < x.length / cols; r++) {
      double n = 0;
      for (int c = 0; c < cols; c++) {
        n += (double) x[r * cols + c] * x[r * cols + c];
      }
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = (float) (x[r * cols + c] / Math.sqrt(n));
      }
    }
    return out;
  }

  private static float[] floats(org.tensorflow.Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.size()];
    f.asRawTensor().data().asFloats().read(out);
    return out;
  }

  /** max |a - b| / max |b|. */
  static double relativeError(float[] actual, float[] expected) {
    assertEquals(expected.length, actual.length, "element count");
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return diff / scale;
  }

  /** Asserts {@code actual} is within {@link #TOLERANCE} of a recorded output, and reports it. */
  static double assertClose(String what, float[] actual, String expectedNpy) {
    NamedTensor expected = npy(expectedNpy);
    double err = relativeError(actual, expected.data());
    System.out.printf("max relative error %-40s %.3g%n", what, err);
    assertTrue(err <= TOLERANCE, what + ": max relative error " + err + " > " + TOLERANCE);
    return err;
  }

  static void assertSameOutputs(Outputs a, Outputs b) {
    for (float[][] pair : new float[][][] {{a.logits(), b.logits()}, {a.features(), b.features()},
        {a.imageFeatures(), b.imageFeatures()}, {a.textFeatures(), b.textFeatures()}}) {
      if (pair[0] != null || pair[1] != null) {
        assertArrayEquals(pair[0], pair[1]);
      }
    }
  }

  /** A usage error (exit code 2) whose message contains every part; returns the message. */
  static String assertUsageError(Executable action, String... parts) {
    TfpeftException e = assertThrows(TfpeftException.class, action);
    assertEquals(TfpeftException.USAGE, e.exitCode(), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks \"" + part + "\": "
          + e.getMessage());
    }
    return e.getMessage();
  }

  /** A ModelConfig asking only for what is set in the given VitConfig or ClipConfig text. */
  static ModelConfig requested(String text) {
    try {
      ModelConfig.Builder b = ModelConfig.newBuilder();
      com.google.protobuf.TextFormat.merge(text, b);
      return b.build();
    } catch (com.google.protobuf.TextFormat.ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
