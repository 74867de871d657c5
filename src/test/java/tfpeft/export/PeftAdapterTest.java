package tfpeft.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.SafetensorsWriter;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ClassPrompts;
import tfpeft.train.GraphFeeds;
import tfpeft.train.RunSession;

/**
 * The Hugging Face PEFT format against an independent reference: tools/peft_reference.py wrote
 * a LoRA adapter in PEFT's layout for the tiny Hugging Face ViT and CLIPModel fixtures and the
 * outputs transformers' forward (written in torch from the module names) gives with PEFT's rule
 * W + (lora_alpha / r) B A applied. tfpeft imports each adapter and must compute the same, and
 * writes the imported state back as the same tensors; what tfpeft cannot represent is refused
 * naming the key.
 */
class PeftAdapterTest {
  static final double TOLERANCE = 1e-5;

  @TempDir Path tmp;

  static Path fixture(String name) {
    try {
      return Path.of(PeftAdapterTest.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/peft_reference.py fixtures", e);
    }
  }

  static RunConfig vitRun(LoraConfig lora) {
    return RunConfig.newBuilder().setName("peft").setSeed(1)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder())
            .setWeights(WeightsConfig.newBuilder()
                .setPath(fixture("models/vit/hf_cls").toString())))
        .setMethod(MethodConfig.newBuilder().setLora(lora)).build();
  }

  static RunConfig clipRun(LoraConfig lora) {
    return RunConfig.newBuilder().setName("peft").setSeed(1)
        .setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().addTemplates("{}"))
            .setWeights(WeightsConfig.newBuilder()
                .setPath(fixture("models/clip/hf").toString())))
        .setMethod(MethodConfig.newBuilder().setLora(lora)).build();
  }

  /** The fixture ViT adapter's LoRA: query and value of every block, r 4, alpha 8. */
  static final LoraConfig VIT_LORA = LoraConfig.newBuilder().setRank(4).setScale(2).build();
  /** The fixture CLIP adapter's: vision q, v and fc2, r 2, alpha 3. */
  static final LoraConfig CLIP_LORA = LoraConfig.newBuilder().setRank(2).setScale(1.5f)
      .addTargets("block*/attn/q").addTargets("block*/attn/v").addTargets("block*/mlp/fc2")
      .build();

  /** One class per row of the fixture's text_ids.npy. */
  static final List<String> CLIP_CLASSES = List.of("a", "b", "c");

  static RunSession open(RunConfig c, List<String> classes) {
    RunSession.Opener o = RunSession.opener(c, MethodRegistry.builtIn()).classes(classes, null);
    if (c.getModel().hasClip()) {
      // the fixture's vocab.json is a stand-in: the class prompts are the fixture's token ids
      NamedTensor t = NpyReader.read(fixture("models/clip/text_ids.npy"));
      int[] ids = new int[t.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (int) t.data()[i];
      }
      o.prompts(new ClassPrompts(classes, List.of("{}"), (int) t.dim(1), ids));
    }
    return o.open();
  }

  static List<String> classes(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("class_" + i);
    }
    return names;
  }

  /** Opens {@code c}, starts it from PEFT adapter {@code dir} and hands the session on. */
  static void withAdapter(RunConfig c, List<String> classes, Path dir, Consumer<RunSession> use) {
    try (RunSession m = open(c, classes)) {
      PeftStart.of(dir, c).apply(m.graph(), m.session(), null);
      use.accept(m);
    }
  }

  static float[] flat(float[][] rows) {
    int n = 0;
    for (float[] r : rows) {
      n += r.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, out, at, r.length);
      at += r.length;
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  static NamedTensor images() {
    return NpyReader.read(fixture("models/images.npy"));
  }

  @Test
  void importedVitAdapterGivesTheLogitsOfPeftsRule() {
    NamedTensor want = NpyReader.read(fixture("peft/vit/logits.npy"));
    NamedTensor x = images();
    withAdapter(vitRun(VIT_LORA), classes(5), fixture("peft/vit/adapter"), m -> {
      double d = maxAbsDiff(flat(m.logits(x.data(), (int) x.dim(0))), want.data());
      assertTrue(d <= TOLERANCE, "max |logit difference| " + d);
    });
  }

  @Test
  void importedClipAdapterGivesTheImageFeaturesOfPeftsRule() {
    NamedTensor want = NpyReader.read(fixture("peft/clip/image_features.npy"));
    NamedTensor x = images();
    withAdapter(clipRun(CLIP_LORA), CLIP_CLASSES, fixture("peft/clip/adapter"), m -> {
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(x.shape()), DataBuffers.of(x.data(), true,
          false));
          TFloat32 cf = tfpeft.model.ClipClassifier.tensor(m.classFeatures());
          GraphFeeds feeds = GraphFeeds.evaluation(m.graph()).classFeatures(cf);
          var r = feeds.runner(m.session(), in).fetch(m.graph().model().features()).run()) {
        TFloat32 f = (TFloat32) r.get(0);
        float[] got = new float[(int) f.size()];
        f.asRawTensor().data().asFloats().read(got);
        double d = maxAbsDiff(got, want.data());
        assertTrue(d <= TOLERANCE, "max |image feature difference| " + d);
      }
    });
  }

  /** PEFT's tensors of an adapter directory, by key. */
  static Map<String, NamedTensor> tensors(Path dir) {
    Map<String, NamedTensor> out = new LinkedHashMap<>();
    for (NamedTensor t : SafetensorsReader.read(dir.resolve(PeftAdapterConfig.TENSORS))
        .tensors()) {
      out.put(t.name(), t);
    }
    return out;
  }

  static void assertSameTensors(Map<String, NamedTensor> want, List<NamedTensor> got) {
    Map<String, NamedTensor> g = new LinkedHashMap<>();
    got.forEach(t -> g.put(t.name(), t));
    assertEquals(new java.util.TreeSet<>(want.keySet()), new java.util.TreeSet<>(g.keySet()));
    for (NamedTensor t : want.values()) {
      assertArrayEquals(t.shape(), g.get(t.name()).shape(), t.name());
      assertArrayEquals(t.data(), g.get(t.name()).data(), t.name());
    }
  }

  @Test
  void exportOfTheImportedVitAdapterWritesPeftsTensorsAndConfig() {
    withAdapter(vitRun(VIT_LORA), classes(5), fixture("peft/vit/adapter"), m -> {
      PeftExport.Adapter a = PeftExport.of(m, "the run");
      assertSameTensors(tensors(fixture("peft/vit/adapter")), a.tensors());
      JsonObject c = a.config().json();
      assertEquals(4, c.get("r").getAsInt());
      assertEquals(8.0, c.get("lora_alpha").getAsDouble());
      assertEquals("[\"query\",\"value\"]", c.get("target_modules").toString());
      assertEquals("[\"classifier\"]", c.get("modules_to_save").toString());
      assertEquals("LORA", c.get("peft_type").getAsString());
      assertEquals(fixture("models/vit/hf_cls").toString(),
          c.get("base_model_name_or_path").getAsString());
    });
  }

  @Test
  void exportOfClipLoraNamesTheVisionModulesInFullSinceTheTextTowerHasTheSameLeafNames() {
    withAdapter(clipRun(CLIP_LORA), CLIP_CLASSES, fixture("peft/clip/adapter"), m -> {
      PeftExport.Adapter a = PeftExport.of(m, "the run");
      assertSameTensors(tensors(fixture("peft/clip/adapter")), a.tensors());
      assertEquals(List.of("vision_model.encoder.layers.0.mlp.fc2",
          "vision_model.encoder.layers.0.self_attn.q_proj",
          "vision_model.encoder.layers.0.self_attn.v_proj",
          "vision_model.encoder.layers.1.mlp.fc2",
          "vision_model.encoder.layers.1.self_attn.q_proj",
          "vision_model.encoder.layers.1.self_attn.v_proj"), a.config().targetModules());
      assertEquals(List.of(), a.config().modulesToSave());
    });
  }

  @Test
  void writtenDirectoryReadsBackAsTheSameAdapter() {
    withAdapter(vitRun(VIT_LORA), classes(5), fixture("peft/vit/adapter"), m -> {
      PeftExport.Adapter a = PeftExport.of(m, "the run");
      Path out = tmp.resolve("written");
      PeftAdapter.write(out, a.config(), a.tensors());
      assertSameTensors(tensors(out), a.tensors());
      PeftAdapterConfig back = PeftAdapterConfig.read(out);
      assertEquals(a.config(), back);
    });
  }

  @Test
  void peftAdapterServedAsAnArtifactOnItsBaseGivesTheLogitsOfPeftsRule() {
    NamedTensor want = NpyReader.read(fixture("peft/vit/logits.npy"));
    NamedTensor x = images();
    Path dir = fixture("peft/vit/adapter");
    AdapterArtifact a = PeftArtifact.of(dir, fixture("models/vit/hf_cls").toString(), null,
        List.of());
    assertEquals(List.of("class_0", "class_1", "class_2", "class_3", "class_4"),
        a.classNames());
    try (RunSession m = a.openOnBase(null, MethodRegistry.builtIn(), s -> { }, dir)) {
      double d = maxAbsDiff(flat(m.logits(x.data(), (int) x.dim(0))), want.data());
      assertTrue(d <= TOLERANCE, "max |logit difference| " + d);
    }
  }

  @Test
  void clipPeftAdapterServedWithoutClassNamesIsRefused() {
    usageError(() -> PeftArtifact.of(fixture("peft/clip/adapter"),
        fixture("models/clip/hf").toString(), null, List.of()), "CLIPModel", "--classes");
  }

  // ---- what is refused ----------------------------------------------------------------------

  /** A copy of the ViT fixture adapter with its config edited by {@code edit}. */
  Path vitAdapterWith(Consumer<JsonObject> edit) throws IOException {
    Path dir = tmp.resolve("adapter");
    Files.createDirectories(dir);
    Path src = fixture("peft/vit/adapter");
    Files.copy(src.resolve(PeftAdapterConfig.TENSORS), dir.resolve(PeftAdapterConfig.TENSORS));
    JsonObject c = JsonParser.parseString(Files.readString(src.resolve(PeftAdapterConfig.FILE)))
        .getAsJsonObject();
    edit.accept(c);
    Files.writeString(dir.resolve(PeftAdapterConfig.FILE), c.toString());
    return dir;
  }

  /** A copy of the ViT fixture adapter with {@code tensors} as its safetensors file. */
  Path vitAdapterWithTensors(List<NamedTensor> tensors) throws IOException {
    Path dir = vitAdapterWith(c -> { });
    Files.delete(dir.resolve(PeftAdapterConfig.TENSORS));
    SafetensorsWriter.write(dir.resolve(PeftAdapterConfig.TENSORS), tensors);
    return dir;
  }

  static String usageError(Executable e, String... parts) {
    TfpeftException ex = assertThrows(TfpeftException.class, e);
    assertEquals(TfpeftException.USAGE, ex.exitCode(), ex.getMessage());
    for (String p : parts) {
      assertTrue(ex.getMessage().contains(p), "'" + p + "' not in: " + ex.getMessage());
    }
    return ex.getMessage();
  }

  static void readVit(Path dir) {
    PeftAdapter.read(dir, tfpeft.model.imports.Backbones.describe(vitRun(VIT_LORA).getModel()
        .getWeights()).model(), "peft/lora/");
  }

  @Test
  void doraIsRefusedNamingTheKey() throws IOException {
    Path dir = vitAdapterWith(c -> c.addProperty("use_dora", true));
    usageError(() -> PeftAdapterConfig.read(dir), "use_dora is true", "magnitude");
  }

  @Test
  void rsLoraIsRefusedWithTheAlphaThatComputesTheSame() throws IOException {
    Path dir = vitAdapterWith(c -> c.addProperty("use_rslora", true));
    // alpha / sqrt(r) = alpha' / r  =>  alpha' = 8 * sqrt(4) = 16
    usageError(() -> PeftAdapterConfig.read(dir), "use_rslora", "lora_alpha * sqrt(r) = 16");
  }

  @Test
  void fanInFanOutIsRefused() throws IOException {
    Path dir = vitAdapterWith(c -> c.addProperty("fan_in_fan_out", true));
    usageError(() -> PeftAdapterConfig.read(dir), "fan_in_fan_out is true");
  }

  @Test
  void anotherPeftTypeIsRefused() throws IOException {
    Path dir = vitAdapterWith(c -> c.addProperty("peft_type", "IA3"));
    usageError(() -> PeftAdapterConfig.read(dir), "peft_type is IA3", "LoRA");
  }

  @Test
  void perModuleRanksAreRefused() throws IOException {
    Path dir = vitAdapterWith(c -> {
      JsonObject p = new JsonObject();
      p.addProperty("query", 8);
      c.add("rank_pattern", p);
    });
    usageError(() -> PeftAdapterConfig.read(dir), "rank_pattern");
  }

  @Test
  void anAdapterConfigOfMoreThanAMebibyteIsRefusedUnread() throws IOException {
    Path dir = vitAdapterWith(c -> { });
    Files.write(dir.resolve(PeftAdapterConfig.FILE), new byte[PeftAdapterConfig.MAX_BYTES + 1]);
    usageError(() -> PeftAdapterConfig.read(dir), "larger than 1 MiB");
  }

  @Test
  void aModuleTfpeftHasNoLinearForIsRefusedNamingTheKey() throws IOException {
    String key = "base_model.model.vit.embeddings.patch_embeddings.projection.lora_A.weight";
    Path dir = vitAdapterWithTensors(List.of(new NamedTensor(key, new long[] {4, 3},
        new float[12])));
    usageError(() -> readVit(dir), key, "no Linear");
  }

  @Test
  void aDoraMagnitudeTensorIsRefusedNamingTheKey() throws IOException {
    String key = "base_model.model.vit.encoder.layer.0.attention.attention.query"
        + ".lora_magnitude_vector";
    Path dir = vitAdapterWithTensors(List.of(new NamedTensor(key, new long[] {32},
        new float[32])));
    usageError(() -> readVit(dir), key, "DoRA");
  }

  @Test
  void aShapeThatDoesNotFitTheModuleIsRefusedNamingTheKey() throws IOException {
    String a = "base_model.model.vit.encoder.layer.0.attention.attention.query.lora_A.weight";
    String b = "base_model.model.vit.encoder.layer.0.attention.attention.query.lora_B.weight";
    Path dir = vitAdapterWithTensors(List.of(new NamedTensor(a, new long[] {4, 48},
        new float[4 * 48]), new NamedTensor(b, new long[] {32, 4}, new float[128])));
    usageError(() -> readVit(dir), a, "[4, 48]", "Linear 32 -> 32");
  }

  @Test
  void targetModulesThatSelectOtherModulesThanTheTensorsAreRefused() throws IOException {
    Path dir = vitAdapterWith(c -> {
      com.google.gson.JsonArray t = new com.google.gson.JsonArray();
      t.add("query");
      t.add("key");
      t.add("value");
      c.add("target_modules", t);
    });
    usageError(() -> readVit(dir), "target_modules", "attention.attention.key");
  }

  @Test
  void aHeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeReading() throws IOException {
    Path dir = vitAdapterWith(c -> { });
    // one tensor of 2^40 floats in a file of a few hundred bytes: refused from the header
    String header = "{\"base_model.model.vit.encoder.layer.0.attention.attention.query"
        + ".lora_A.weight\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":"
        + "[0,4398046511104]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Files.write(dir.resolve(PeftAdapterConfig.TENSORS), b.array());
    usageError(() -> readVit(dir), PeftAdapterConfig.TENSORS, "lora_A.weight");
  }

  @Test
  void aRankOtherThanTheConfigsIsRefusedNamingTheField() {
    RunConfig c = vitRun(VIT_LORA.toBuilder().setRank(8).setScale(1).build());
    usageError(() -> PeftStart.of(fixture("peft/vit/adapter"), c), "r is 4",
        "method.lora.rank: 4");
  }

  @Test
  void aScaleOtherThanAlphaOverRankIsRefusedNamingTheField() {
    RunConfig c = vitRun(VIT_LORA.toBuilder().setScale(1).build());
    usageError(() -> PeftStart.of(fixture("peft/vit/adapter"), c), "lora_alpha 8",
        "method.lora.scale: 2");
  }

  @Test
  void targetsSelectingOtherSitesThanTheAdapterAreRefused() {
    RunConfig c = vitRun(VIT_LORA.toBuilder().addTargets("block*/attn/q").build());
    usageError(() -> withAdapter(c, classes(5), fixture("peft/vit/adapter"), m -> { }),
        "only the adapter has [block0/attn/v, block1/attn/v]", "method.lora.targets");
  }

  @Test
  void aMethodWithoutPeftCounterpartIsRefusedByPeftExport() {
    usageError(() -> PeftExport.refuseMethod(MethodConfig.newBuilder().setAdaptformer(
        AdaptFormerConfig.getDefaultInstance()).build()), "method.adaptformer",
        "no Hugging Face PEFT counterpart");
    usageError(() -> PeftExport.refuseMethod(MethodConfig.newBuilder().setLora(
        LoraConfig.newBuilder().setBits(1)).build()), "1-bit LoRA has no PEFT counterpart");
  }

  @Test
  void aRunOnTfpeftsOwnBackboneIsRefusedByPeftExport() {
    RunConfig c = vitRun(VIT_LORA).toBuilder().setModel(ModelConfig.newBuilder()
        .setVit(VitConfig.newBuilder()).setWeights(WeightsConfig.newBuilder()
            .setPath("checkpoints/pretrained/vit-small"))).build();
    usageError(() -> PeftExport.huggingFaceBase(c), "checkpoints/pretrained/vit-small",
        "transformers model");
  }
}
