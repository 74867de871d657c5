package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.MultiAdapterExport;
import tfpeft.train.TinyRuns;

/**
 * {@code export --adapter A --adapter B ... --out DIR}: several artifacts of one base in one
 * SavedModel, each signature giving what the adapter's own export gives, the backbone stored
 * once, and the bad inputs it refuses.
 */
class MultiAdapterExportTest {
  @TempDir static Path dir;
  /** Two LoRA adapters (two checkpoints of one run) and an AdaptFormer one. */
  static Path loraFirst;
  static Path loraLast;
  static Path adaptformer;
  static Path served;
  static MainTest.Result export;
  static final int SIZE = TinyRuns.IMAGE;

  @BeforeAll
  static void trainExportAndServe() throws IOException {
    Path lora = train("lora", MethodConfig.newBuilder().setLora(LoraConfig.newBuilder()
        .setRank(2)).build());
    Path af = train("af", MethodConfig.newBuilder().setAdaptformer(
        AdaptFormerConfig.newBuilder().setDim(4)).build());
    Path artifacts = dir.resolve("artifacts");
    loraFirst = artifacts.resolve("lora-epoch1");
    loraLast = artifacts.resolve("lora");
    adaptformer = artifacts.resolve("adaptformer");
    ok("export", lora.toString(), "--adapter", loraFirst.toString(), "--checkpoint",
        "epoch-0001");
    ok("export", lora.toString(), "--adapter", loraLast.toString());
    ok("export", af.toString(), "--adapter", adaptformer.toString());
    served = dir.resolve("served");
    export = ok("export", "--adapter", loraFirst.toString(), "--adapter", loraLast.toString(),
        "--adapter", adaptformer.toString(), "--out", served.toString());
  }

  private static Path train(String name, MethodConfig method) throws IOException {
    RunConfig c = TinyRuns.vit(dir, name, method, 2).build();
    Path config = dir.resolve(name + ".pbtxt");
    Files.writeString(config, TextFormat.printer().printToString(c));
    ok("train", "--config", config.toString());
    return dir.resolve(name);
  }

  private static MainTest.Result ok(String... args) {
    MainTest.Result r = MainTest.run(args);
    assertEquals(0, r.code(), r.err());
    return r;
  }

  private static float[] images(int n, long seed) {
    float[] px = new float[n * SIZE * SIZE * 3];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextDouble();
    }
    return px;
  }

  private static float[][] logits(SavedModelBundle b, String signature, float[] px, int n,
      String adapter) {
    TFloat32 x = TFloat32.tensorOf(Shape.of(n, SIZE, SIZE, 3), DataBuffers.of(px));
    Map<String, org.tensorflow.Tensor> in = adapter == null ? Map.of("images", x)
        : Map.of("images", x, "adapter", TString.scalarOf(adapter));
    try (Result r = b.function(signature).call(in)) {
      TFloat32 t = (TFloat32) r.get("logits").orElseThrow();
      float[][] out = new float[n][(int) t.shape().get(1)];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < out[i].length; c++) {
          out[i][c] = t.getFloat(i, c);
        }
      }
      return out;
    } finally {
      in.values().forEach(org.tensorflow.Tensor::close);
    }
  }

  @Test
  void eachSignatureAndTheNamedDefaultGiveTheAdaptersOwnExportsLogits() {
    float[] px = images(3, 5);
    // one LoRA and the AdaptFormer: each single export is a second export of its artifact
    Map<String, Path> adapters = Map.of("lora_epoch1", loraFirst, "adaptformer", adaptformer);
    try (SavedModelBundle all = SavedModelBundle.load(served.toString(), "serve")) {
      for (Map.Entry<String, Path> a : adapters.entrySet()) {
        Path single = dir.resolve("single-" + a.getKey());
        ok("export", "--adapter", a.getValue().toString(), "--out", single.toString());
        float[][] want;
        try (SavedModelBundle one = SavedModelBundle.load(single.toString(), "serve")) {
          want = logits(one, "serving_default", px, 3, null);
        }
        float[][] bySignature = logits(all, a.getKey(), px, 3, null);
        float[][] byName = logits(all, "serving_default", px, 3, a.getKey());
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(want[i], bySignature[i], 1e-5f, a.getKey());
          assertArrayEquals(want[i], byName[i], 1e-5f, a.getKey());
        }
      }
    }
  }

  @Test
  void theBackboneIsStoredOnceAndEachAdapterKeepsItsOwnVariables() {
    List<String> names = tfpeft.model.weights.TensorBundleReader.read(
        served.resolve("variables").resolve("variables"), n -> true).tensors().stream()
        .map(tfpeft.model.weights.NamedTensor::name).toList();
    assertEquals(1, names.stream().filter(n -> n.endsWith("backbone/block0/attn/q/weight"))
        .count(), names.toString());
    assertTrue(names.contains("backbone/block0/attn/q/weight"), names.toString());
    assertTrue(names.contains("adapters/lora_epoch1/peft/lora/block0/attn/q/lora_a")
        && names.contains("adapters/lora/peft/lora/block0/attn/q/lora_a"), names.toString());
    assertTrue(names.contains("adapters/adaptformer/head/head/weight"), names.toString());
  }

  @Test
  void anUnknownAdapterNameFailsNamingTheAdaptersServed() {
    try (SavedModelBundle all = SavedModelBundle.load(served.toString(), "serve")) {
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> logits(all, "serving_default", images(1, 6), 1, "lora2"));
      assertTrue(e.getMessage().contains("unknown adapter name:") && e.getMessage().contains(
          "lora2") && e.getMessage().contains("serves lora_epoch1, lora, adaptformer"),
          e.getMessage());
    }
  }

  @Test
  void exportSaysWhatIsSharedAndWhatEachAdapterAdds() {
    assertTrue(export.out().contains("3 adapters on") && export.out().contains(
        "signatures lora_epoch1, lora, adaptformer") && export.out().contains(
        "the shared backbone"), export.out());
  }

  @Test
  void inspectDescribesTheAdaptersOfTheSavedModel() {
    MainTest.Result r = ok("inspect", served.toString());
    assertTrue(r.out().contains("adapters: 3 (lora_epoch1: lora"), r.out());
    assertTrue(r.out().contains("signature serving_default") && r.out().contains(
        "in  adapter: STRING []"), r.out());
  }

  @Test
  void artifactsOfAnotherBaseAreRefusedNamingBoth() throws IOException {
    Path other = copy(adaptformer, dir.resolve("other-base"));
    Path manifest = other.resolve("manifest.json");
    JsonObject m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
    m.getAsJsonObject("base").addProperty("sha256", "0".repeat(64));
    Files.writeString(manifest, m.toString());
    Path out = dir.resolve("refused-base");
    MainTest.Result r = MainTest.run("export", "--adapter", loraLast.toString(), "--adapter",
        other.toString(), "--out", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("made on different bases: " + loraLast) && r.err().contains(
        other + " on ") && r.err().contains("0".repeat(64)), r.err());
    assertTrue(Files.notExists(out));
  }

  @Test
  void twoArtifactsServedUnderOneSignatureNameAreRefused() throws IOException {
    Path a = copy(loraLast, dir.resolve("clash").resolve("lora-x"));
    Path b = copy(loraFirst, dir.resolve("clash").resolve("lora_x"));
    Path out = dir.resolve("refused-clash");
    MainTest.Result r = MainTest.run("export", "--adapter", a.toString(), "--adapter",
        b.toString(), "--out", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(a + " and " + b + " would both be served as signature lora_x"),
        r.err());
    assertTrue(Files.notExists(out));
  }

  @Test
  void predictWithTheSharedSavedModelSaysHowToChooseAnAdapter() {
    MainTest.Result r = MainTest.run("predict", "--weights", served.toString(),
        dir.resolve("none.npy").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("serves several adapters") && r.err().contains(
        "predict --adapter ART"), r.err());
  }

  @Test
  void signatureNamesKeepLettersDigitsAndUnderscores() {
    assertEquals("vit_lora_r8", MultiAdapterExport.signatureName("vit-lora.r8"));
    assertEquals("a_3tasks", MultiAdapterExport.signatureName("3tasks"));
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
