package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.path;
import static tfpeft.model.imports.ModelFixtures.requested;
import static tfpeft.model.imports.ModelFixtures.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.model.BuiltModel;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;

/** Position embeddings resampled to another grid, against the reference bicubic interpolation
 * (resample.npz). */
class ResampleTest {
  static TensorFile fixture() {
    return NpzReader.read(path("resample.npz"));
  }

  static double maxAbs(float[] a, float[] b) {
    assertEquals(b.length, a.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {6, 5, 3, 2, 9})
  void matchesReferenceBicubic(int grid) {
    NamedTensor source = fixture().get("source");
    NamedTensor expected = fixture().get("grid_" + grid);
    int d = (int) source.dim(1);
    float[] out = PositionEmbeddings.resample(source.data(), d, grid);
    double err = maxAbs(out, expected.data());
    System.out.printf("resample 4x4 -> %dx%d: max abs error %.3g, max relative error %.3g%n",
        grid, grid, err, ModelFixtures.relativeError(out, expected.data()));
    assertTrue(err <= 1e-5, "grid " + grid + ": max abs error " + err);
  }

  @Test
  void sameGridIsACopy() {
    NamedTensor source = fixture().get("source");
    assertArrayEquals(source.data(), PositionEmbeddings.resample(source.data(), 32, 4));
  }

  @Test
  void cubicWeightsSumToOne() {
    for (double t = 0; t < 1; t += 0.125) {
      double sum = 0;
      for (double w : PositionEmbeddings.cubicWeights(t)) {
        sum += w;
      }
      assertEquals(1.0, sum, 1e-12);
    }
    assertArrayEquals(new double[] {0, 1, 0, 0}, PositionEmbeddings.cubicWeights(0), 1e-12);
  }

  @Test
  void loadAtAnotherImageSizeResamplesAndBuilds() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls"),
        requested("vit { image_size: 48 }"));
    assertEquals(48, b.model().getVit().getImageSize());
    assertArrayEquals(new long[] {37, 32}, b.shapes().get("backbone/pos_embed"));
    assertTrue(maxAbs(b.tensors().get("backbone/pos_embed"), fixture().get("grid_6").data())
        <= 1e-5);
    assertTrue(b.report().resampled().contains("4x4 to 6x6"), b.report().resampled());
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      BuiltModel.build(net, b.model(), b.headClasses(), false);
      try (Session s = new Session(g)) {
        s.initialize();
        b.assignTo(s, net);
        assertArrayEquals(b.tensors().get("backbone/pos_embed"),
            VariableValues.read(s, net.variable("backbone/pos_embed")));
      }
    }
  }

  @Test
  void googleNpzAndClipResampleToo() {
    LoadedBackbone npz = Backbones.load(weights("vit/google.npz"),
        requested("vit { image_size: 24 }"));
    assertTrue(maxAbs(npz.tensors().get("backbone/pos_embed"), fixture().get("grid_3").data())
        <= 1e-5);
    LoadedBackbone clip = Backbones.load(weights("clip/hf"), requested("clip { image_size: 40 }"));
    assertArrayEquals(new long[] {26, 32}, clip.shapes().get("backbone/pos_embed"));
    assertArrayEquals(new long[] {16, 32}, clip.shapes().get("backbone/text/pos_embed"));
  }

  @Test
  void theFilesOwnSizeLeavesThemAlone() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls"), requested("vit { image_size: 32 }"));
    assertNull(b.report().resampled());
  }

  @Test
  void imageSizeMustBeAMultipleOfThePatch() {
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls"),
        requested("vit { image_size: 36 }")), "model.vit.image_size", "36",
        "patch size 8");
  }
}
