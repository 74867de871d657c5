package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import tfpeft.train.TinyRuns;

/**
 * Every command that reads a run config sees the model the run builds: with {@code vit {}} and
 * weights, the architecture is the weights' (the fixture: 32 px, patch 8, width 32, 2 blocks,
 * 4 heads, MLP 64), not ViT-B/16's defaults.
 */
class ArchitectureFromWeightsTest {
  /** The fixture's backbone, counted by hand: patch embedding 3*8*8*32 + 32, class token 32,
   * positions (16 + 1) * 32, per block LayerNorms 2 * 64, q/k/v 3 * (32*32 + 32), projection
   * 32*32 + 32, MLP 32*64 + 64 + 64*32 + 32, and the final LayerNorm 64. */
  static final long BACKBONE = 6176 + 32 + 544 + 2 * (128 + 3168 + 1056 + 2112 + 2080) + 64;

  @TempDir Path dir;
  Path config;

  @BeforeEach
  void writeConfig() throws Exception {
    String weights = Path.of(getClass().getResource("/fixtures/models/vit/google.npz").toURI())
        .toString();
    config = dir.resolve("lora.pbtxt");
    Files.writeString(config, """
        name: "lora"
        output_dir: "%s"
        model { vit {} weights { path: "%s" } }
        data { synthetic { dir: "%s" task: "shape" image_size: 16 } }
        method { lora { rank: 4 } }
        training { epochs: 1 batch_size: 8 }
        """.formatted(dir.resolve("runs"), weights, TinyRuns.suite()));
  }

  @Test
  void configCheckPrintsTheWeightsArchitecture() {
    MainTest.Result r = MainTest.run("config", "check", "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    for (String field : new String[] {"image_size: 32", "patch_size: 8", "width: 32",
        "depth: 2", "heads: 4", "mlp_ratio: 2"}) {
      assertTrue(r.out().contains(field), field + " missing from\n" + r.out());
    }
    assertFalse(r.out().contains("width: 768"), r.out());
    assertTrue(r.out().contains("the model's architecture is that of the weights"), r.out());
  }

  @Test
  void configCheckAwayFromTheWeightsSaysWhatItPrints() {
    MainTest.Result r = MainTest.run("config", "check", "--config", config.toString(), "--set",
        "model.weights.path=" + dir.resolve("elsewhere"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("not found: the model below is the config's own"), r.err());
    assertTrue(r.out().contains("width: 768"), r.out());
  }

  @Test
  void aConfigThatContradictsTheWeightsFailsAtCheck() {
    MainTest.Result r = MainTest.run("config", "check", "--config", config.toString(), "--set",
        "model.vit.width=64");
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("model.vit.width: the weights in"), r.err());
    assertTrue(r.err().contains("have 32, the config asks for 64"), r.err());
  }

  @Test
  void promptDepthIsCheckedAgainstTheWeightsDepth() {
    MainTest.Result r = MainTest.run("config", "check", "--config", config.toString(), "--set",
        "method.vpt.depth=3");
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("method.vpt.depth"), r.err());
    assertTrue(r.err().contains("model.vit.depth"), r.err());
  }

  @Test
  void dataCheckBatchesAtTheWeightsImageSize() {
    MainTest.Result r = MainTest.run("data", "check", "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("at 32x32"), r.out());
  }

  @Test
  void dataPreviewTilesAreTheWeightsImageSize() throws Exception {
    Path png = dir.resolve("preview.png");
    MainTest.Result r = MainTest.run("data", "preview", "--config", config.toString(), "--out",
        png.toString(), "--count", "4");
    assertEquals(0, r.code(), r.err());
    BufferedImage grid = ImageIO.read(png.toFile());
    // 2 x 2 tiles of 32 px, each enlarged 3 times to 96 (224 px would stay 224), 4 px gaps
    assertEquals(2 * (3 * 32 + PreviewGrid.GAP) + PreviewGrid.GAP, grid.getWidth());
  }

  @Test
  void benchModelCountsTheWeightsBackbone() {
    MainTest.Result r = MainTest.run("bench", "model", "--config", config.toString(), "--steps",
        "1", "--batch", "1");
    assertEquals(0, r.code(), r.err());
    // the benchmark's model carries an ImageNet-sized head: 1000 x (32 + 1)
    assertTrue(r.out().contains(String.format("%,d parameters (with a 1000-class head)",
        BACKBONE + 33 * 1000)), r.out());
    assertTrue(r.out().matches("(?s).*; graph of [0-9,]+ ops built in [0-9.]+ s\\R.*"), r.out());
  }

  @Test
  void dryRunAccountsTheWeightsAdapters() {
    MainTest.Result r = MainTest.run("train", "--config", config.toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    // q and v of 2 blocks; each LoRA is A [4, 32] and B [32, 4]: 256 float32 parameters
    assertTrue(r.out().contains("adapters: 4 positions, 1,024 parameters"), r.out());
    assertTrue(r.out().contains("4 adapters at float32, 4,096 bytes"), r.out());
    assertTrue(r.out().contains(String.format("%,d frozen", BACKBONE)), r.out());
  }

  @Test
  void graphWritesTheRunAsItTrainsWithTheMethod() throws Exception {
    Path pb = dir.resolve("lora.pb");
    MainTest.Result r = MainTest.run("graph", "--config", config.toString(), "--out",
        pb.toString());
    assertEquals(0, r.code(), r.err());
    GraphDef def = GraphDef.parseFrom(Files.readAllBytes(pb));
    long lora = def.getNodeList().stream().map(NodeDef::getName)
        .filter(n -> n.startsWith("peft/lora/")).count();
    assertTrue(lora > 0, "no peft/lora/ node in the GraphDef");
    assertTrue(def.getNodeList().stream().noneMatch(n -> n.getName().startsWith("optimizer/")),
        "the training step is left out unless asked for");
    // the backbone's parameters, the head's (32 x 7 + 7 for the 7 shapes) and LoRA's
    assertTrue(r.out().contains(String.format("%,d parameters (%,d trainable)",
        BACKBONE + 231 + 1024, 231 + 1024)), r.out());

    MainTest.Result step = MainTest.run("graph", "--config", config.toString(), "--out",
        pb.toString(), "--train-step");
    assertEquals(0, step.code(), step.err());
    assertTrue(GraphDef.parseFrom(Files.readAllBytes(pb)).getNodeList().stream()
        .anyMatch(n -> n.getName().startsWith("optimizer/")), "--train-step adds the optimizer");
  }
}
