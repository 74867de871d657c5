package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.cli.MainTest.Result;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.NpyWriter;

/**
 * {@code tfpeft predict} checked from outside: its logits and features of foreign weights against
 * the reference implementation's (fixtures of tools/make_model_fixtures.py), the image-file path
 * against the array path, the shipped CLIP's zero-shot predictions, and every bad input.
 */
class PredictCommandTest {
  static final Path MODELS = Path.of("src/test/resources/fixtures/models");
  static final Path IMAGES = MODELS.resolve("images.npy");

  @TempDir Path dir;

  static double relativeError(float[] got, float[] want) {
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < want.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      maxRef = Math.max(maxRef, Math.abs(want[i]));
    }
    return maxDiff / maxRef;
  }

  @Test
  void logitsOfAForeignVitMatchTheReference() {
    Path out = dir.resolve("logits.npy");
    Result r = MainTest.run("predict", "--weights", MODELS.resolve("vit/hf_cls").toString(),
        "--out", out.toString(), IMAGES.toString());
    assertEquals(0, r.code(), r.err());
    NamedTensor got = NpyReader.read(out);
    NamedTensor want = NpyReader.read(MODELS.resolve("vit/logits.npy"));
    assertEquals(List.of(2L, 5L), List.of(got.dim(0), got.dim(1)));
    assertTrue(relativeError(got.data(), want.data()) < 1e-4);
    assertEquals(2, r.out().lines().count(), r.out());
    assertTrue(r.out().startsWith("images.npy[0]:"), r.out());
  }

  @Test
  void clipImageFeaturesMatchTheReference() {
    Path out = dir.resolve("features.npy");
    Result r = MainTest.run("predict", "--weights", MODELS.resolve("clip/hf").toString(),
        "--features", "--out", out.toString(), IMAGES.toString());
    assertEquals(0, r.code(), r.err());
    float[] want = NpyReader.read(MODELS.resolve("clip/image_features.npy")).data();
    assertTrue(relativeError(NpyReader.read(out).data(), want) < 1e-4);
  }

  @Test
  void anImageFileGivesTheLogitsOfItsPixelsOverTwoHundredFiftyFive() {
    RgbImage img = RgbImage.blank(32, 32);
    float[] px = new float[32 * 32 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        for (int c = 0; c < 3; c++) {
          int v = (x * 7 + y * 3 + c * 85) % 256;
          img.set(x, y, c, v);
          px[(y * 32 + x) * 3 + c] = v / 255f;
        }
      }
    }
    Path png = dir.resolve("a.png");
    ImageEncoder.writePng(img, png);
    Path npy = dir.resolve("a.npy");
    NpyWriter.write(npy, new long[] {1, 32, 32, 3}, px);
    String weights = MODELS.resolve("vit/hf_cls").toString();
    Result fromFile = MainTest.run("predict", "--weights", weights, "--normalization", "unit",
        "--out", dir.resolve("f.npy").toString(), png.toString());
    Result fromArray = MainTest.run("predict", "--weights", weights, "--out",
        dir.resolve("g.npy").toString(), npy.toString());
    assertEquals(0, fromFile.code(), fromFile.err());
    assertEquals(0, fromArray.code(), fromArray.err());
    float[] a = NpyReader.read(dir.resolve("f.npy")).data();
    float[] b = NpyReader.read(dir.resolve("g.npy")).data();
    assertTrue(relativeError(a, b) < 1e-6);
  }

  @Test
  void theShippedClipNamesColoursZeroShot() throws Exception {
    Path suite = dir.resolve("suite");
    SyntheticSuite.generate(suite, SyntheticOptions.builder().seed(7).pretrainCount(1)
        .trainPerTask(1).valPerTask(1).testPerTask(40).tasks(List.of("color")).build(),
        (s, d, t) -> {});
    Path task = suite.resolve("tasks/color");
    Map<String, Integer> labels = new HashMap<>();
    for (String l : Files.readAllLines(task.resolve("test.txt"))) {
      String[] f = l.split(" ");
      labels.put(task.resolve(f[0]).toString(), Integer.parseInt(f[1]));
    }
    Result r = MainTest.run("predict", "--weights", "checkpoints/pretrained/clip-small",
        "--classes", task.resolve("classnames.txt").toString(), "--json", "-k", "1",
        "--template", "a photo of a {} shape.", task.resolve("images").toString());
    assertEquals(0, r.code(), r.err());
    int correct = 0;
    int scored = 0;
    for (String line : r.out().lines().toList()) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      Integer want = labels.get(o.get("input").getAsString());
      if (want != null) {
        scored++;
        JsonObject top = o.getAsJsonArray("top").get(0).getAsJsonObject();
        correct += top.get("class").getAsInt() == want ? 1 : 0;
      }
    }
    assertEquals(labels.size(), scored);
    assertTrue(correct >= 0.9 * scored, correct + " of " + scored);
  }

  @Test
  void aBackboneWithoutHeadAsksForFeatures() {
    Result r = MainTest.run("predict", "--weights", "checkpoints/pretrained/vit-small",
        IMAGES.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no classification head"), r.err());
    Path out = dir.resolve("f.npy");
    r = MainTest.run("predict", "--weights", "checkpoints/pretrained/vit-small", "--features",
        "--out", out.toString(), IMAGES.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(2L, 96L), List.of(NpyReader.read(out).dim(0),
        NpyReader.read(out).dim(1)));
  }

  @Test
  void anArrayOfTheWrongShapeIsRefusedByName() {
    Path npy = dir.resolve("bad.npy");
    NpyWriter.write(npy, new long[] {1, 16, 16, 3}, new float[16 * 16 * 3]);
    Result r = MainTest.run("predict", "--weights", MODELS.resolve("vit/hf_cls").toString(),
        npy.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("bad.npy holds an array of shape [1, 16, 16, 3]"), r.err());
    assertTrue(r.err().contains("[N, 32, 32, 3]"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    String vit = MODELS.resolve("vit/hf_cls").toString();
    String clip = MODELS.resolve("clip/hf").toString();
    assertEquals(2, MainTest.run("predict", IMAGES.toString()).code());
    assertEquals(2, MainTest.run("predict", "--weights", vit).code());
    assertEquals(2, MainTest.run("predict", "--weights", vit, dir.resolve("none.png")
        .toString()).code());
    Result r = MainTest.run("predict", "--weights", clip, IMAGES.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--classes"), r.err());
    r = MainTest.run("predict", "--weights", vit, "--classes", "a,b", IMAGES.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("the head has 5 classes but 2 class names"), r.err());
    r = MainTest.run("predict", "--weights", vit, "--features", IMAGES.toString());
    assertEquals(2, r.code());
    assertEquals(2, MainTest.run("predict", "--weights", vit, "-k", "0", IMAGES.toString())
        .code());
  }
}
