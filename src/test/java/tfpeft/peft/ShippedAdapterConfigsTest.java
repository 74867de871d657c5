package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.RunConfig;

/**
 * The shipped adapter configs load, say how to run them, and the ViT-B/16 ones store what
 * Pear's Table I reports (to two significant figures).
 */
class ShippedAdapterConfigsTest {
  static final Path SYNTHETIC = Path.of("configs/synthetic");
  static final Path VTAB = Path.of("configs/vtab");
  // Table I: LoRA 1.13, AdaptFormer 0.56, Bi-LoRA 0.14, Bi-AdaptFormer 0.07, Pear-LoRA 0.07,
  // Pear-AdaptFormer 0.035 (vanilla pruning stores what Pear stores), BitFit 0.39, Adapter-P
  // 0.56, VPT-Shallow 0.24 (a per-task average of prompt lengths; the config's 82 tokens), SSF
  // 0.78 (205,824 float32 values, 0.78515625 MB: two figures round it to 0.79, Table I's 0.78
  // cuts it), Compacter 0.15 (its adapters without biases, the shared rules once)
  static final Map<String, String> TABLE_I = Map.ofEntries(Map.entry("lora", "1.1"),
      Map.entry("bitfit", "0.39"), Map.entry("adapterp", "0.56"),
      Map.entry("vpt-shallow", "0.24"), Map.entry("ssf", "0.79"),
      Map.entry("compacter", "0.15"),
      Map.entry("adaptformer", "0.56"), Map.entry("bi-lora", "0.14"),
      Map.entry("bi-adaptformer", "0.07"), Map.entry("vp-lora", "0.07"),
      Map.entry("pear-lora", "0.07"), Map.entry("pear-lora-da", "0.07"),
      Map.entry("pear-lora-sba", "0.07"), Map.entry("vp-adaptformer", "0.035"),
      Map.entry("pear-adaptformer", "0.035"), Map.entry("pear-adaptformer-da", "0.035"),
      Map.entry("pear-adaptformer-sba", "0.035"));
  // Shipped configs whose storage Table I does not fix, with their own (two significant figures):
  // FacT's rank is set per task (the configs take cifar's), Table I's FacT-TT 0.30 counts each
  // task's head (FactTest), and Table I has no FacT-TK row. FourierFT's 1.20 and MoRA's 1.15 are
  // "aligned with LoRA" in Table I, but LoRA r = 8's count gives 1.125 (n = 12,288 per site) and
  // 1.108 (r_hat 110; 111 under sharing: 1.128): docs/adapters.md says why no aligned count
  // reaches Table I's figures
  static final Map<String, String> NOT_IN_TABLE_I = Map.of("fact-tt", "0.082", "fact-tk",
      "0.33", "fourierft", "1.1", "mora", "1.1");

  /** Every shipped config's expected storage in MB: Table I's or its own. */
  static Map<String, String> storage() {
    Map<String, String> all = new java.util.HashMap<>(TABLE_I);
    all.putAll(NOT_IN_TABLE_I);
    return all;
  }

  static List<Path> configs(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".pbtxt")).sorted().toList();
    }
  }

  static String stem(Path p) {
    String f = p.getFileName().toString();
    return f.substring(0, f.length() - ".pbtxt".length());
  }

  @Test
  void everyMethodHasASyntheticAndAVitB16Config() throws IOException {
    assertEquals(storage().keySet().stream().sorted().toList(),
        configs(SYNTHETIC).stream().map(ShippedAdapterConfigsTest::stem).sorted().toList());
    assertEquals(storage().keySet().stream().sorted().toList(),
        configs(VTAB).stream().map(ShippedAdapterConfigsTest::stem).sorted().toList());
  }

  @Test
  void eachConfigLoadsAndStartsWithItsCommandRuntimeAndResult() throws IOException {
    for (Path dir : List.of(SYNTHETIC, VTAB)) {
      for (Path p : configs(dir)) {
        ConfigLoader.load(p, List.of());
        String text = Files.readString(p);
        assertTrue(text.startsWith("# "), p + " starts with a comment");
        String header = text.substring(0, text.indexOf("\nname:"));
        for (String part : List.of("Command:", "Runtime:", "Reaches:")) {
          assertTrue(header.contains(part), p + " header says " + part);
        }
        assertTrue(header.contains("tools/tfpeft train --config " + p), p + " names itself");
      }
    }
  }

  @Test
  void vitB16ConfigsStoreWhatTableIReports() throws IOException {
    for (Path p : configs(VTAB)) {
      RunConfig c = ConfigLoader.load(p, List.of()).resolved();
      AdapterAccounting a = AdapterAccounting.of(c.getMethod(), c.getModel());
      assertEquals(storage().get(stem(p)), AdapterStorage.significant(a.storedMegabytes(), 2),
          p.toString());
    }
  }

  @Test
  void oneBitLoraConfigsDropBetweenAAndBAsPetlVit() throws IOException {
    for (Path dir : List.of(SYNTHETIC, VTAB)) {
      for (Path p : configs(dir)) {
        var m = ConfigLoader.load(p, List.of()).resolved().getMethod();
        var lora = m.hasPear() ? m.getPear().getLora() : m.getLora();
        if ((m.hasLora() || m.getPear().hasLora()) && lora.getBits() == 1) {
          assertEquals(0.1f, lora.getHiddenDropout(), p.toString());
        }
      }
    }
  }

  /** Configs whose official code trains with timm's train script rather than PETL-ViT's loop. */
  static final Set<String> TIMM_TRAIN_SCRIPT = Set.of("ssf");

  @Test
  void vitB16ConfigsStepTheScheduleAndDropTheLastBatchAsTheirOfficialLoop() throws IOException {
    for (Path p : configs(VTAB)) {
      var t = ConfigLoader.load(p, List.of()).resolved().getTraining();
      if (TIMM_TRAIN_SCRIPT.contains(stem(p))) {
        assertFalse(t.getScheduleAfterEpoch(), p + ": timm's scheduler.step(epoch + 1)");
      } else {
        assertTrue(t.getScheduleAfterEpoch(), p + ": PETL-ViT's scheduler.step(ep) after each"
            + " epoch");
      }
      assertTrue(t.getDropLast(), p + ": the training loader's drop_last=True");
    }
  }
}
