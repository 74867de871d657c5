package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;

/** Pear settings that contradict each other are config errors naming the field. */
class PearConfigCheckTest {
  static final String RUN = String.join("\n",
      "model { vit { image_size: 32 patch_size: 4 width: 64 depth: 2 heads: 4 } }",
      "data { synthetic { task: \"shape\" } }",
      "training { epochs: 20 }",
      "method { pear { lora { rank: 4 } warmup_epochs: 5 %s } }", "");

  static String error(String extra) {
    TfpeftException e = assertThrows(TfpeftException.class, () -> ConfigLoader.parse(
        String.format(RUN, extra), "run.pbtxt", List.of()));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    return e.getMessage();
  }

  @Test
  void aValidPearConfigLoads() {
    ConfigLoader.parse(String.format(RUN, "knowledge_checkpoint: SBA sba_shared_weight: 2"),
        "run.pbtxt", List.of());
  }

  @Test
  void warmUpLongerThanTheRunIsRefused() {
    String m = assertThrows(TfpeftException.class, () -> ConfigLoader.parse(
        String.format(RUN, ""), "run.pbtxt", List.of("training.epochs=4"))).getMessage();
    assertTrue(m.contains("method.pear.warmup_epochs") && m.contains("never run"), m);
  }

  @Test
  void vanillaPruningTakesNoKnowledgeCheckpoint() {
    String m = error("share: false knowledge_checkpoint: DA");
    assertTrue(m.contains("method.pear.knowledge_checkpoint"), m);
  }

  @Test
  void sbaWeightsNeedSba() {
    String m = error("knowledge_checkpoint: DA sba_pruned_weight: 2");
    assertTrue(m.contains("method.pear.sba_pruned_weight"), m);
  }

  @Test
  void handSetSbaWeightsContradictImportanceWeights() {
    String m = error("knowledge_checkpoint: SBA sba_weights: IMPORTANCE sba_shared_weight: 2");
    assertTrue(m.contains("method.pear.sba_shared_weight") && m.contains("HAND_SET"), m);
  }
}
