package tfpeft.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;

/** Inventories of checkpoints and SavedModels that TensorFlow itself wrote; diffs between them. */
class InventoryTest {
  @TempDir Path dir;

  /** A checkpoint with backbone (6 values), head (2) and peft/lora (4 + 4) variables. */
  private Path checkpoint(String name, float headBias) {
    Path prefix = dir.resolve(name).resolve("ckpt");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      tf.withSubScope("backbone").withSubScope("block0").withName("w")
          .variable(tf.constant(new float[][] {{1, 2, 3}, {4, 5, 6}}));
      tf.withSubScope("head").withName("b").variable(tf.constant(new float[] {headBias, 0}));
      Ops lora = tf.withSubScope("peft").withSubScope("lora");
      lora.withName("a").variable(tf.constant(new float[] {1, 1, 1, 1}));
      lora.withName("b").variable(tf.constant(new float[] {0, 0, 0, 0}));
      try (Session s = new Session(g)) {
        s.initialize();
        Files.createDirectories(prefix.getParent());
        s.save(prefix.toString());
      }
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
    return prefix;
  }

  @Test
  void inspectOfACheckpointWithAFlippedDataByteNamesTheDamagedTensor() throws Exception {
    Path prefix = checkpoint("flipped", 0.5f);
    Path data = Path.of(prefix + ".data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    b[b.length - 1] ^= 1;
    Files.write(data, b);
    TfpeftException e = assertThrows(TfpeftException.class, () -> Inventory.of(prefix
        .getParent()));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().matches(".*ckpt: tensor '[^']+' fails its CRC32C check in"
        + " ckpt.data-00000-of-00001; the checkpoint is corrupt"), e.getMessage());
  }

  @Test
  void inspectOfACheckpointWithoutItsDataShardSaysSo() throws Exception {
    Path prefix = checkpoint("noshard", 0.5f);
    Files.delete(Path.of(prefix + ".data-00000-of-00001"));
    TfpeftException e = assertThrows(TfpeftException.class, () -> Inventory.of(prefix
        .getParent()));
    assertEquals(prefix + ".data-00000-of-00001: missing; the checkpoint is incomplete",
        e.getMessage());
  }

  @Test
  void inspectOfAHealthyCheckpointSaysWhatItVerified() {
    Inventory inv = Inventory.of(checkpoint("healthy", 0.5f).getParent());
    assertEquals("the CRC32C of all 4 tensors verified", inv.facts().get("integrity"));
  }

  @Test
  void aCheckpointIsSummedByPrefixWithPeftMethodsApart() {
    Inventory inv = Inventory.of(checkpoint("a", 0.5f).getParent());
    assertEquals("checkpoint", inv.kind());
    List<InventoryReport.Group> groups = InventoryReport.groups(inv, 0);
    assertEquals(List.of("backbone", "head", "peft/lora"),
        groups.stream().map(InventoryReport.Group::prefix).toList());
    assertEquals(6, groups.get(0).elements());
    assertEquals(24, groups.get(0).bytes());
    assertEquals(8, groups.get(2).elements());
    String text = String.join("\n", InventoryReport.text(inv, 0, true));
    assertTrue(text.contains("4 tensors, 16 values, 0.0001 MB (64 bytes)"), text);
    assertTrue(text.contains("backbone/block0/w"), text);
  }

  @Test
  void jsonCarriesGroupsAndTensors() {
    Inventory inv = Inventory.of(checkpoint("j", 0.5f));
    JsonObject o = JsonParser.parseString(InventoryReport.json(inv, 0)).getAsJsonObject();
    assertEquals(3, o.getAsJsonArray("groups").size());
    JsonObject first = o.getAsJsonArray("tensors").get(0).getAsJsonObject();
    assertEquals("backbone/block0/w", first.get("name").getAsString());
    assertEquals("F32", first.get("dtype").getAsString());
    assertEquals(2, first.getAsJsonArray("shape").size());
  }

  @Test
  void aDiffFindsTheOneChangedValueAndCallsTheRestIdentical() {
    Inventory a = Inventory.of(checkpoint("x", 0.5f));
    Inventory b = Inventory.of(checkpoint("y", 0.75f));
    InventoryDiff.Result r = InventoryDiff.diff(a, b);
    assertEquals(3, r.identical());
    assertEquals(1, r.changed().size());
    InventoryDiff.Change c = r.changed().get(0);
    assertEquals("head/b", c.name());
    assertEquals(1, c.differing());
    assertEquals(0.25, c.maxAbsDiff(), 0);
    assertTrue(r.onlyA().isEmpty() && r.onlyB().isEmpty());
  }

  @Test
  void aSavedModelShowsItsSignatures() throws Exception {
    Path out = dir.resolve("sm");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 3)));
      var w = tf.withSubScope("head").withName("w").variable(tf.constant(new float[][] {
          {1, 0}, {0, 1}, {1, 1}}));
      var y = tf.linalg.matMul(x, w);
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(out.toString()).withSession(s).withSignature(
            Signature.builder().key("serving_default").methodName("tensorflow/serving/predict")
                .input("images", x).output("logits", y).build()).export();
      }
    }
    Inventory inv = Inventory.of(out);
    assertEquals("savedmodel", inv.kind());
    String sig = inv.facts().get("signature serving_default");
    assertTrue(sig.startsWith("tensorflow/serving/predict"), sig);
    assertTrue(sig.contains("in  images: F32 [?, 3]"), sig);
    assertTrue(sig.contains("out logits: F32 [?, 2]"), sig);
    assertEquals("serve", inv.facts().get("tags"));
    assertEquals(6, inv.tensors().get(0).elements());
    JsonObject json = JsonParser.parseString(InventoryReport.json(inv, 0)).getAsJsonObject();
    JsonObject def = json.getAsJsonObject("signatures").getAsJsonObject("serving_default");
    assertEquals("tensorflow/serving/predict", def.get("method_name").getAsString());
    assertEquals("{\"dtype\":\"F32\",\"shape\":[-1,3]}",
        def.getAsJsonObject("inputs").get("images").toString());
    assertEquals("{\"dtype\":\"F32\",\"shape\":[-1,2]}",
        def.getAsJsonObject("outputs").get("logits").toString());
    assertTrue(!json.getAsJsonObject("facts").has("signature serving_default"), json.toString());
  }

  @Test
  void somethingElseIsAUsageError() throws Exception {
    assertEquals(2, assertThrows(TfpeftException.class,
        () -> Inventory.of(dir.resolve("missing"))).exitCode());
    Files.createDirectories(dir.resolve("empty"));
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> Inventory.of(dir.resolve("empty")));
    assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    Path txt = Files.writeString(dir.resolve("notes.txt"), "hello");
    e = assertThrows(TfpeftException.class, () -> Inventory.of(txt));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("not a recognised weight file") && e.getMessage()
        .endsWith("inspect reads a checkpoint, run directory, adapter artifact, SavedModel,"
            + " backbone directory, .safetensors or .npz file"), e.getMessage());
  }
}
