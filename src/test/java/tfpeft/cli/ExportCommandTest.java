package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.export.ServingExport;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;

/**
 * Exported SavedModels loaded the way a server loads them: the float signature reproduces the
 * reference implementation's logits, the bytes signature classifies encoded images, the class
 * names travel with the model, and nothing is written when something is wrong.
 */
class ExportCommandTest {
  static final Path MODELS = Path.of("src/test/resources/fixtures/models");

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run tfpeft(String... args) {
    MainTest.Result r = MainTest.run(args);
    return new Run(r.code(), r.out(), r.err());
  }

  @Test
  void theServingSignatureReproducesTheReferenceLogits() throws Exception {
    Path out = dir.resolve("vit");
    Run r = tfpeft("export", "--weights", MODELS.resolve("vit/hf_cls").toString(),
        "--classes", "a,b,c,d,e", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("max |logit difference| 0.00e+00"), r.out());
    assertEquals(List.of("a", "b", "c", "d", "e"), ServingExport.classNames(out));
    NamedTensor images = NpyReader.read(MODELS.resolve("images.npy"));
    float[] want = NpyReader.read(MODELS.resolve("vit/logits.npy")).data();
    try (SavedModelBundle b = SavedModelBundle.load(out.toString(), "serve");
        TFloat32 x = TFloat32.tensorOf(Shape.of(2, 32, 32, 3), DataBuffers.of(images.data()));
        Result res = b.function(ServingExport.DEFAULT_SIGNATURE).call(Map.of("images", x))) {
      TFloat32 logits = (TFloat32) res.get("logits").orElseThrow();
      float[] got = new float[10];
      logits.asRawTensor().data().asFloats().read(got);
      double maxDiff = 0;
      double maxRef = 0;
      for (int i = 0; i < got.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        maxRef = Math.max(maxRef, Math.abs(want[i]));
      }
      assertTrue(maxDiff / maxRef < 1e-4, "relative error " + maxDiff / maxRef);
      TInt64 id = (TInt64) res.get("class_id").orElseThrow();
      TString name = (TString) res.get("class_name").orElseThrow();
      assertEquals(List.of("a", "b", "c", "d", "e").get((int) id.getLong(0)), name.getObject(0));
    }
  }

  @Test
  void theBytesSignatureNamesColoursWithTheShippedClip() throws Exception {
    Path suite = dir.resolve("suite");
    SyntheticSuite.generate(suite, SyntheticOptions.builder().seed(3).pretrainCount(1)
        .trainPerTask(1).valPerTask(1).testPerTask(16).tasks(List.of("color")).build(),
        (s, d, t) -> {});
    Path task = suite.resolve("tasks/color");
    List<String> names = Files.readAllLines(task.resolve("classnames.txt"));
    Path out = dir.resolve("clip");
    Run r = tfpeft("export", "--weights", "checkpoints/pretrained/clip-small", "--classes",
        task.resolve("classnames.txt").toString(), "--template", "a photo of a {} shape.",
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    int correct = 0;
    List<String> lines = Files.readAllLines(task.resolve("test.txt"));
    try (SavedModelBundle b = SavedModelBundle.load(out.toString(), "serve")) {
      for (String line : lines) {
        String[] f = line.split(" ");
        byte[] png = Files.readAllBytes(task.resolve(f[0]));
        try (TString t = TString.tensorOfBytes(NdArrays.vectorOfObjects(png));
            Result res = b.function(ServingExport.BYTES_SIGNATURE)
                .call(Map.of("image_bytes", t))) {
          String name = (String) ((TString) res.get("class_name").orElseThrow()).getObject(0);
          correct += name.equals(names.get(Integer.parseInt(f[1]))) ? 1 : 0;
        }
      }
    }
    assertTrue(correct >= 0.9 * lines.size(), correct + " of " + lines.size());
  }

  /** The logits [N, C] of serving_bytes for a batch of encoded images. */
  private static float[][] bytesLogits(SavedModelBundle b, byte[]... images) {
    try (TString t = TString.tensorOfBytes(images.length == 0
            ? NdArrays.ofObjects(byte[].class, Shape.of(0)) : NdArrays.vectorOfObjects(images));
        Result res = b.function(ServingExport.BYTES_SIGNATURE).call(Map.of("image_bytes", t))) {
      TFloat32 logits = (TFloat32) res.get("logits").orElseThrow();
      int n = (int) logits.shape().get(0);
      int c = (int) logits.shape().get(1);
      float[][] out = new float[n][c];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < c; j++) {
          out[i][j] = logits.getFloat(i, j);
        }
      }
      return out;
    }
  }

  @Test
  void theBytesSignatureTakesABatchOfImagesOfAnySizeAndFormat() throws Exception {
    Path out = dir.resolve("vit");
    Run r = tfpeft("export", "--weights", MODELS.resolve("vit/hf_cls").toString(),
        "--classes", "a,b,c,d,e", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    byte[][] images = new byte[3][];
    int[][] sizes = {{40, 30}, {32, 32}, {17, 55}};
    for (int k = 0; k < 3; k++) {
      byte[] px = new byte[sizes[k][0] * sizes[k][1] * 3];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) rng.nextInt(256);
      }
      tfpeft.data.image.RgbImage img = new tfpeft.data.image.RgbImage(sizes[k][0],
          sizes[k][1], px);
      images[k] = k == 1 ? tfpeft.data.image.ImageEncoder.jpeg(img, 0.9f)
          : tfpeft.data.image.ImageEncoder.png(img);
    }
    try (SavedModelBundle b = SavedModelBundle.load(out.toString(), "serve")) {
      float[][] batch = bytesLogits(b, images);
      assertEquals(3, batch.length);
      for (int k = 0; k < 3; k++) {
        float[] alone = bytesLogits(b, images[k])[0];
        for (int c = 0; c < alone.length; c++) {
          // the same pixels; a batch of 3 only changes the matmul kernel's summation order
          assertEquals(alone[c], batch[k][c], 1e-5, "image " + k + ", class " + c);
        }
      }
      assertEquals(0, bytesLogits(b).length, "an empty batch gives no rows");
    }
  }

  @Test
  void versionWritesATfServingModelBaseThatPredictAndInspectRead() throws Exception {
    Path base = dir.resolve("models/vit");
    String weights = MODELS.resolve("vit/hf_cls").toString();
    Run one = tfpeft("export", "--weights", weights, "--out", base.toString(), "--version", "1");
    assertEquals(0, one.code(), one.err());
    assertTrue(Files.isRegularFile(base.resolve("1/saved_model.pb")));
    assertTrue(Files.isRegularFile(base.resolve("1/variables/variables.index")));
    Run again = tfpeft("export", "--weights", weights, "--out", base.toString(), "--version",
        "1");
    assertEquals(2, again.code());
    assertTrue(again.err().contains(base.resolve("1") + " exists; choose another --out or"
        + " --version or pass --overwrite"), again.err());
    Run two = tfpeft("export", "--weights", weights, "--out", base.toString(), "--version", "2");
    assertEquals(0, two.code(), two.err());
    assertTrue(Files.isRegularFile(base.resolve("1/saved_model.pb")), "version 1 stays");
    for (String bad : new String[] {"0", "-1", "v3"}) {
      Run r = tfpeft("export", "--weights", weights, "--out", base.toString(), "--version", bad);
      assertEquals(2, r.code(), bad);
      assertTrue(r.err().contains("positive integers"), r.err());
    }

    Path png = dir.resolve("x.png");
    tfpeft.data.image.ImageEncoder.writePng(ExportCommand.sample(40, 40,
        new java.util.SplittableRandom(1)), png);
    Run predicted = tfpeft("predict", "--weights", base.toString(), png.toString());
    assertEquals(0, predicted.code(), predicted.err());
    assertTrue(predicted.err().contains("predicting with its latest version, "
        + base.resolve("2")), predicted.err());
    Run inspected = tfpeft("inspect", base.toString());
    assertEquals(0, inspected.code(), inspected.err());
    assertTrue(inspected.out().contains("serving_bytes"), inspected.out());
  }

  @Test
  void nothingIsWrittenOverAnExistingDirectoryOrWithoutAHead() throws Exception {
    Path out = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    Run r = tfpeft("export", "--weights", MODELS.resolve("vit/hf_cls").toString(), "--out",
        out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("exists"), r.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    Path none = dir.resolve("none");
    r = tfpeft("export", "--weights", "checkpoints/pretrained/vit-small", "--out",
        none.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no classification head"), r.err());
    assertFalse(Files.exists(none));
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")));
    }
  }

  @Test
  void predictRunsAnExportedModelWithItsOwnPreprocessingAndNames() throws Exception {
    Path out = dir.resolve("vit");
    assertEquals(0, tfpeft("export", "--weights", MODELS.resolve("vit/hf_cls").toString(),
        "--classes", "a,b,c,d,e", "--normalization", "unit", "--out", out.toString()).code());
    Path logits = dir.resolve("logits.npy");
    Run r = tfpeft("predict", "--weights", out.toString(), "--out", logits.toString(), "-k", "1",
        MODELS.resolve("images.npy").toString());
    assertEquals(0, r.code(), r.err());
    float[] want = NpyReader.read(MODELS.resolve("vit/logits.npy")).data();
    float[] got = NpyReader.read(logits).data();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4 * 10);
    }
    assertTrue(r.out().matches("(?s)images.npy\\[0\\]:  [a-e] .*"), r.out());
    Files.delete(out.resolve("variables").resolve("variables.index"));
    r = tfpeft("predict", "--weights", out.toString(), MODELS.resolve("images.npy").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("variables/variables.index is missing"), r.err());
  }
}
