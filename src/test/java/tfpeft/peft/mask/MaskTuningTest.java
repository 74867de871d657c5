package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.Encoders;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MaskGroup;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.TinyRuns;
import tfpeft.train.Trainer;
import tfpeft.train.checkpoint.CheckpointStore;

/** Mask tuning through the trainer on a tiny CLIP. */
class MaskTuningTest {
  /** Mask tuning alone, its epoch lines going to {@code log}. */
  static MethodRegistry registry(PrintStream log) {
    return new MethodRegistry().register(MethodConfig.MethodCase.MASK,
        m -> new MaskTuning(m.getMask(), log::println));
  }

  static JsonObject train(RunConfig c, ByteArrayOutputStream log) {
    PrintStream sink = new PrintStream(log, true, StandardCharsets.UTF_8);
    return new Trainer(c, "tiny.pbtxt", new Trainer.Options(Trainer.Resume.OVERWRITE, sink,
        false), registry(sink)).run();
  }

  @TempDir Path out;

  /** The final checkpoint's tensors whose name starts with {@code prefix}. */
  static Map<String, float[]> tensors(Path run, String prefix) throws Exception {
    CheckpointStore.Checkpoint last = new CheckpointStore(run.resolve("checkpoints")).latest()
        .orElseThrow();
    Map<String, float[]> out = new TreeMap<>();
    for (var t : tfpeft.model.weights.TensorBundleReader.read(last.variables(),
        n -> n.startsWith(prefix)).tensors()) {
      out.put(t.name(), t.data());
    }
    return out;
  }

  @Test
  void regularizedMaskTuningTrainsOnlyTheMasksAndLogsSparsity() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject report = train(TinyRuns.maskClip(out,
        MaskConfig.newBuilder().setLeak(1f).build()).build(), log);
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("masks: "), text);
    Path run = out.resolve("tiny");
    Map<String, float[]> masks = tensors(run, "peft/mask/");
    // AMT on the image tower: q, k, v, out of one block and the patch embedding
    assertEquals(5, masks.size(), masks.keySet().toString());
    boolean moved = masks.values().stream().anyMatch(m -> {
      for (float v : m) {
        if (v != 0.01f) {
          return true;
        }
      }
      return false;
    });
    assertTrue(moved, "no mask changed");
    JsonObject state = CheckpointStore.read(new CheckpointStore(run.resolve("checkpoints"))
        .latest().orElseThrow().dir()).state();
    assertTrue(state.toString().contains("\"sparsity\""), state.toString());
    assertTrue(report.has("test") || report.toString().contains("top1"), report.toString());
    // inspect shows the sparsity of the checkpoint's masks
    tfpeft.inspect.Inventory inv = tfpeft.inspect.Inventory.of(new CheckpointStore(
        run.resolve("checkpoints")).latest().orElseThrow().dir());
    inv.facts().put("masks", MaskInspection.describeCheckpoint(inv.path(),
        inv.tensors().stream().map(tfpeft.inspect.Inventory.TensorInfo::name).toList(),
        inv.values()::read));
    assertTrue(inv.facts().get("masks").contains("masked weights zeroed"), inv.facts().toString());
    assertTrue(inv.facts().get("masks").contains("patch_embed"), inv.facts().toString());
    // the run's masks, bit-packed at the threshold
    MaskArtifact bits = tfpeft.train.MaskRuns.read(run);
    assertEquals(5, bits.masks().size());
    for (MaskArtifact.Binary b : bits.masks()) {
      float[] real = masks.get("peft/mask/" + b.site() + "/mask");
      float[] binary = b.values();
      for (int i = 0; i < real.length; i++) {
        assertEquals(real[i] > 0.005f ? 1f : 0f, binary[i], b.site() + " " + i);
      }
    }
  }

  @Test
  void theRunLeavesItsFinalBinaryMasksInMasksPb() throws Exception {
    JsonObject report = train(TinyRuns.maskClip(out,
        MaskConfig.newBuilder().setLeak(1f).build()).build(), new ByteArrayOutputStream());
    Path run = out.resolve("tiny");
    Path file = run.resolve(MaskArtifact.FILE);
    assertTrue(java.nio.file.Files.isRegularFile(file));
    MaskArtifact bits = tfpeft.train.MaskRuns.read(file);
    Map<String, float[]> masks = tensors(run, "peft/mask/");
    assertEquals(masks.size(), bits.masks().size());
    long zeroed = 0;
    for (MaskArtifact.Binary b : bits.masks()) {
      float[] real = masks.get("peft/mask/" + b.site() + "/mask");
      float[] want = new float[real.length];
      for (int i = 0; i < real.length; i++) {
        want[i] = real[i] > 0.005f ? 1f : 0f;
        zeroed += real[i] > 0.005f ? 0 : 1;
      }
      assertArrayEquals(want, b.values(), 0f, b.site());
    }
    assertEquals(zeroed, bits.sparsity().total().zeroed());
    assertEquals(zeroed, report.getAsJsonObject("method_report").getAsJsonObject("sparsity")
        .get("zeroed").getAsLong());
  }

  @Test
  void everyEpochLineOfTheMetricsCarriesTheSparsity() throws Exception {
    train(TinyRuns.maskClip(out, MaskConfig.newBuilder().setLeak(1f).build())
        .build(), new ByteArrayOutputStream());
    Path run = out.resolve("tiny");
    List<JsonObject> epochs = java.nio.file.Files.readAllLines(run.resolve("metrics.jsonl"))
        .stream().map(l -> com.google.gson.JsonParser.parseString(l).getAsJsonObject())
        .filter(o -> o.get("kind").getAsString().equals("epoch")).toList();
    assertEquals(2, epochs.size());
    JsonObject last = epochs.get(1).getAsJsonObject("sparsity");
    // the last epoch's line agrees with the masks the run ended with
    MaskSparsity end = tfpeft.train.MaskRuns.read(run.resolve(MaskArtifact.FILE)).sparsity();
    assertEquals(end.total().zeroed(), last.get("zeroed").getAsLong());
    assertEquals(end.total().total(), last.get("masked").getAsLong());
    assertEquals(end.total().share(), last.get("total").getAsDouble(), 1e-12);
    JsonObject layers = last.getAsJsonObject("layers");
    assertEquals(List.of("patch_embed", "block0"), List.copyOf(layers.keySet()));
    for (MaskSparsity.Count c : end.layers()) {
      assertEquals(c.share(), layers.get(c.name()).getAsDouble(), 1e-12, c.name());
    }
    // and TensorBoard has them as scalars
    Path events;
    try (var files = java.nio.file.Files.list(run)) {
      events = files.filter(p -> p.getFileName().toString().startsWith("events.out"))
          .findFirst().orElseThrow();
    }
    String raw = new String(java.nio.file.Files.readAllBytes(events),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(raw.contains("sparsity/total") && raw.contains("sparsity/block0"));
  }

  @Test
  void zeroLeakTrainsExactlyAsPlainMaskTuning() throws Exception {
    MaskConfig plain = MaskConfig.newBuilder().setGradientDropout(false).build();
    MaskConfig leakZero = MaskConfig.newBuilder().setGradientDropout(true).setLeak(0f).build();
    train(TinyRuns.maskClip(out.resolve("a"), plain).build(),
        new ByteArrayOutputStream());
    train(TinyRuns.maskClip(out.resolve("b"), leakZero).build(),
        new ByteArrayOutputStream());
    Map<String, float[]> a = tensors(out.resolve("a/tiny"), "peft/mask/");
    Map<String, float[]> b = tensors(out.resolve("b/tiny"), "peft/mask/");
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      assertArrayEquals(a.get(k), b.get(k), 0f, k);
    }
  }

  @Test
  void theKlAblationAddsTheDistillationToTheLoss() throws Exception {
    MaskConfig plain = MaskConfig.newBuilder().setGradientDropout(false).build();
    MaskConfig kl = plain.toBuilder().setKlLossWeight(1).build();
    JsonObject a = train(TinyRuns.maskClip(out.resolve("a"), plain).build(),
        new ByteArrayOutputStream());
    JsonObject b = train(TinyRuns.maskClip(out.resolve("b"), kl).build(),
        new ByteArrayOutputStream());
    Map<String, float[]> ma = tensors(out.resolve("a/tiny"), "peft/mask/");
    Map<String, float[]> mb = tensors(out.resolve("b/tiny"), "peft/mask/");
    boolean differ = false;
    for (String k : ma.keySet()) {
      differ |= !java.util.Arrays.equals(ma.get(k), mb.get(k));
    }
    assertTrue(differ, "the distillation term changed nothing");
    assertTrue(a.has("test") && b.has("test"));
  }

  @Test
  void textEncoderMasksTrainThroughTheTextTower() throws Exception {
    train(TinyRuns.maskClip(out, MaskConfig.newBuilder()
        .setGroup(MaskGroup.MMT).setEncoders(Encoders.BOTH).build()).build(),
        new ByteArrayOutputStream());
    Map<String, float[]> masks = tensors(out.resolve("tiny"), "peft/mask/");
    assertEquals(4, masks.size(), masks.keySet().toString());
    float[] text = masks.get("peft/mask/text/block0/mlp/fc1/mask");
    boolean moved = false;
    for (float v : text) {
      moved |= v != 0.01f;
    }
    assertTrue(moved, "the text masks did not train");
  }
}
