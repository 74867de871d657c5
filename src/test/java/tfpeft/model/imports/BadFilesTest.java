package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.path;
import static tfpeft.model.imports.ModelFixtures.requested;
import static tfpeft.model.imports.ModelFixtures.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.SafetensorsWriter;

/** Broken, inconsistent and unknown inputs: usage errors naming the file and the tensor. */
class BadFilesTest {
  static final String Q1 = "vit.encoder.layer.1.attention.attention.query.weight";

  @TempDir
  Path tmp;

  /** A Hugging Face ViT directory whose tensors {@code edit} changed, config.json copied. */
  static Path hfVit(Path dir, UnaryOperator<List<NamedTensor>> edit) throws Exception {
    Files.createDirectories(dir);
    Files.copy(path("vit/hf_cls/config.json"), dir.resolve("config.json"));
    List<NamedTensor> tensors = new ArrayList<>(
        SafetensorsReader.read(path("vit/hf_cls/model.safetensors")).tensors());
    SafetensorsWriter.write(dir.resolve("model.safetensors"), edit.apply(tensors));
    return dir;
  }

  /** The fixture's safetensors file with its JSON header edited; data unchanged. */
  private Path editHeader(Consumer<JsonObject> edit) throws Exception {
    byte[] bytes = Files.readAllBytes(path("vit/hf_cls/model.safetensors"));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) b.getLong(0);
    JsonObject header = JsonParser.parseString(new String(bytes, 8, n, StandardCharsets.UTF_8))
        .getAsJsonObject();
    edit.accept(header);
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - n)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    out.put(bytes, 8 + n, bytes.length - 8 - n);
    Path dir = Files.createDirectories(tmp.resolve("edited"));
    Files.copy(path("vit/hf_cls/config.json"), dir.resolve("config.json"));
    return Files.write(dir.resolve("model.safetensors"), out.array());
  }

  @Test
  void corruptFile() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("corrupt"));
    Files.copy(path("vit/hf_cls/config.json"), dir.resolve("config.json"));
    byte[] noise = new byte[4096];
    new java.util.Random(1).nextBytes(noise);
    Path f = Files.write(dir.resolve("model.safetensors"), noise);
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        f.toString(), "header length");
  }

  @Test
  void truncatedSafetensors() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("truncated"));
    Files.copy(path("vit/hf_cls/config.json"), dir.resolve("config.json"));
    byte[] bytes = Files.readAllBytes(path("vit/hf_cls/model.safetensors"));
    Path f = Files.write(dir.resolve("model.safetensors"),
        Arrays.copyOf(bytes, bytes.length - 1000));
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        f.toString(), "truncated", "tensor '");
  }

  @Test
  void truncatedNpz() throws Exception {
    byte[] bytes = Files.readAllBytes(path("vit/google.npz"));
    Path f = Files.write(tmp.resolve("google.npz"), Arrays.copyOf(bytes, bytes.length / 2));
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.AUTO), null), f.toString(),
        "truncated");
  }

  @Test
  void headerThatLiesAboutOffsets() throws Exception {
    Path f = editHeader(h -> {
      JsonArray offsets = h.getAsJsonObject("vit.embeddings.cls_token")
          .getAsJsonArray("data_offsets");
      long begin = offsets.get(0).getAsLong();
      offsets.set(1, new com.google.gson.JsonPrimitive(begin + 64));
    });
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.AUTO), null), f.toString(),
        "vit.embeddings.cls_token", "lies about offsets");
  }

  @Test
  void overlappingTensors() throws Exception {
    Path f = editHeader(h -> {
      JsonObject a = h.getAsJsonObject("vit.layernorm.weight");
      JsonObject b = h.getAsJsonObject("vit.layernorm.bias");
      a.add("data_offsets", b.get("data_offsets").deepCopy());
    });
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.AUTO), null), f.toString(),
        "overlap", "lies about offsets");
  }

  @Test
  void wrongShape() throws Exception {
    Path dir = hfVit(tmp.resolve("shape"), ts -> {
      ts.replaceAll(t -> t.name().equals(Q1) ? new NamedTensor(Q1, new long[] {32, 33},
          new float[32 * 33]) : t);
      return ts;
    });
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("model.safetensors").toString(), "tensor '" + Q1 + "'", "[32, 33]",
        "[32, 32] is needed for backbone/block1/attn/q/weight");
  }

  @Test
  void shapeThatContradictsConfigJson() throws Exception {
    Path dir = hfVit(tmp.resolve("config"), ts -> ts);
    Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
        .replace("\"intermediate_size\": 64", "\"intermediate_size\": 128"));
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        "config.json", "\"intermediate_size\" is 128",
        "vit.encoder.layer.0.intermediate.dense.weight", "[64, 32]");
  }

  @Test
  void missingTensor() throws Exception {
    String k = "vit.encoder.layer.1.attention.attention.key.bias";
    Path dir = hfVit(tmp.resolve("missing"), ts -> {
      ts.removeIf(t -> t.name().equals(k));
      return ts;
    });
    String m = assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("model.safetensors").toString(), "1 model variable has no tensor",
        "backbone/block1/attn/k/bias <- '" + k + "' (not in the file)");
    assertFalse(m.contains("not used"), m);
  }

  @Test
  void unknownFormat() throws Exception {
    Path f = Files.writeString(tmp.resolve("weights.bin"), "these are not weights");
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.AUTO), null), f.toString(),
        "not a recognised weight file");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertUsageError(() -> Backbones.load(weights(empty, WeightsFormat.AUTO), null),
        empty.toString(), "cannot tell the weight format");
    Path checkpoint = Files.createDirectories(tmp.resolve("run/checkpoints/epoch-0001"));
    Files.writeString(checkpoint.resolve("variables.index"), "");
    assertUsageError(() -> Backbones.load(weights(checkpoint, WeightsFormat.AUTO), null),
        checkpoint.toString(), "a run's checkpoint or run directory, not backbone weights",
        "tfpeft export RUN_DIR");
    assertUsageError(() -> Backbones.load(weights("vit/logits.npy"), null), "logits.npy",
        "not a checkpoint");
    assertUsageError(() -> Backbones.load(weights(tmp.resolve("nothing-here"),
        WeightsFormat.AUTO), null), "nothing-here", "not found");
    assertUsageError(() -> Backbones.load(tfpeft.config.proto.WeightsConfig.getDefaultInstance(),
        null), "weights.path is empty");
  }

  @Test
  void wrongExplicitFormat() {
    assertUsageError(() -> Backbones.load(weights(path("vit/google.npz"),
        WeightsFormat.OPENAI_CLIP), null), "google.npz", "is an .npz (zip) file",
        "weights.format OPENAI_CLIP reads a safetensors file");
    assertUsageError(() -> Backbones.load(weights(path("clip/openai.safetensors"),
        WeightsFormat.OPENAI_CLIP).toBuilder().setFormat(WeightsFormat.TFPEFT).build(), null),
        "weights.safetensors: not found");
    assertUsageError(() -> Backbones.load(weights(path("vit/hf_cls/model.safetensors"),
        WeightsFormat.OPENAI_CLIP), null), "hf_cls/model.safetensors",
        "no tensor named 'visual.class_embedding'");
    assertUsageError(() -> Backbones.load(weights(path("clip/openai.safetensors"),
        WeightsFormat.GOOGLE_NPZ), null), "openai.safetensors",
        "weights.format GOOGLE_NPZ reads an .npz (zip) file");
  }

  @Test
  void configJsonMissing() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("noconfig"));
    Path f = Files.copy(path("vit/hf_cls/model.safetensors"), dir.resolve("model.safetensors"));
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("config.json").toString(), "config.json: not found");
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.AUTO), null),
        "config.json: not found");
    assertUsageError(() -> Backbones.load(weights(f, WeightsFormat.SAFETENSORS), null),
        "config.json: not found");
  }

  @Test
  void configJsonUnparsable() throws Exception {
    Path dir = hfVit(tmp.resolve("badjson"), ts -> ts);
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"vit\", \"hidden_size\": ");
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("config.json").toString(), "not valid JSON");
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"vit\", \"hidden_size\": "
        + "\"wide\"}");
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        "config.json", "\"hidden_size\" must be an integer");
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        "config.json", "model_type \"bert\"", "vit", "clip");
  }

  @Test
  void aNanOrInfiniteWeightIsRefusedNamingTheTensor() throws Exception {
    Path nan = hfVit(tmp.resolve("nan"), ts -> ts.stream().map(t -> {
      if (!t.name().equals(Q1)) {
        return t;
      }
      float[] v = t.data().clone();
      v[5] = Float.NaN;
      return new NamedTensor(t.name(), t.shape(), v);
    }).toList());
    assertUsageError(() -> Backbones.load(weights(nan, WeightsFormat.AUTO), null),
        nan.resolve("model.safetensors") + ": tensor '" + Q1 + "' holds NaN at index 5 of ");
    Path inf = hfVit(tmp.resolve("inf"), ts -> ts.stream().map(t -> {
      if (!t.name().equals(Q1)) {
        return t;
      }
      float[] v = t.data().clone();
      v[0] = Float.NEGATIVE_INFINITY;
      return new NamedTensor(t.name(), t.shape(), v);
    }).toList());
    assertUsageError(() -> Backbones.load(weights(inf, WeightsFormat.AUTO), null),
        "tensor '" + Q1 + "' holds -Infinity at index 0 of ");
  }

  @Test
  void brokenModelPbtxt() throws Exception {
    Path dir = tmp.resolve("backbone");
    BackboneDirectory.write(dir, Backbones.load(weights("vit/google.npz"), null), false);
    Files.writeString(dir.resolve("model.pbtxt"), "vit { width: 32\n depth: two }\n");
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("model.pbtxt") + ":2:");
    Files.delete(dir.resolve("model.pbtxt"));
    assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.TFPEFT), null),
        "model.pbtxt: not found");
  }

  @Test
  void configThatContradictsTheWeights() {
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls"),
        requested("vit { width: 768 }")), "model.vit.width", "have 32", "asks for 768");
    assertUsageError(() -> Backbones.load(weights("vit/google.npz"),
        requested("vit { depth: 12 }")), "model.vit.depth", "have 2", "asks for 12");
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls"),
        requested("clip { image_size: 32 }")), "config describes a clip backbone",
        "ViT weights");
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls"),
        requested("vit { layer_norm_eps: 1e-5 }")), "model.vit.layer_norm_eps");
  }

  @Test
  void conventionsGiveWayToTheConfig() {
    // the npz does not state its epsilon or activation: the config's win
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"),
        requested("vit { layer_norm_eps: 1e-5 gelu: GELU_TANH pooling: MEAN }"));
    assertTrue(b.model().getVit().getLayerNormEps() == 1e-5f);
    assertTrue(b.model().getVit().getGelu() == tfpeft.config.proto.Gelu.GELU_TANH);
    assertTrue(b.model().getVit().getPooling() == tfpeft.config.proto.Pooling.MEAN);
  }
}
