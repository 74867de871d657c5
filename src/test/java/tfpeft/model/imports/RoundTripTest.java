package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertSameOutputs;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.path;
import static tfpeft.model.imports.ModelFixtures.requested;
import static tfpeft.model.imports.ModelFixtures.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.text.BpeVocabularyFiles;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.train.pretrain.PretrainedBackbone;

/** Import into a backbone directory, load it back as TFPEFT: the same model, the same outputs. */
class RoundTripTest {
  @TempDir
  Path tmp;

  private LoadedBackbone roundTrip(LoadedBackbone direct) {
    Path dir = tmp.resolve("backbone");
    BackboneDirectory.write(dir, direct, false);
    assertTrue(Files.isRegularFile(dir.resolve(PretrainedBackbone.WEIGHTS)));
    assertTrue(Files.isRegularFile(dir.resolve(PretrainedBackbone.MODEL)));
    LoadedBackbone back = Backbones.load(weights(dir, WeightsFormat.AUTO), null);
    assertEquals(WeightsFormat.TFPEFT, back.report().format());
    assertEquals(direct.model(), back.model());
    assertEquals(direct.tensors().keySet(), back.tensors().keySet());
    for (String name : direct.tensors().keySet()) {
      assertArrayEquals(direct.shapes().get(name), back.shapes().get(name), name);
      assertArrayEquals(direct.tensors().get(name), back.tensors().get(name), name);
    }
    assertEquals(direct.headClasses(), back.headClasses());
    assertEquals(direct.parameterCount(), back.parameterCount());
    return back;
  }

  @Test
  void vitWithHead() {
    LoadedBackbone direct = Backbones.load(weights("vit/hf_cls_bf16"), null);
    LoadedBackbone back = roundTrip(direct);
    assertEquals(5, back.headClasses());
    assertNull(back.vocab());
    assertSameOutputs(ModelFixtures.runVit(direct), ModelFixtures.runVit(back));
    ModelFixtures.assertClose("vit round trip (bf16 weights) logits",
        ModelFixtures.runVit(back).logits(), "vit/logits_bf16_weights.npy");
    // the written file holds float32 under tfpeft's names only
    var names = SafetensorsReader.readHeader(tmp.resolve("backbone/weights.safetensors"))
        .entries();
    assertTrue(names.stream().allMatch(e -> e.dtype().equals("F32")
        && (e.name().startsWith("backbone/") || e.name().startsWith("head/"))));
  }

  @Test
  void vitWithPreLogitsFromNpz() {
    LoadedBackbone direct = Backbones.load(weights("vit_pre/google.npz"), null);
    LoadedBackbone back = roundTrip(direct);
    ModelFixtures.assertClose("vit_pre round trip logits", ModelFixtures.runVit(back).logits(),
        "vit_pre/logits.npy");
  }

  @Test
  void clipCopiesItsVocabulary() throws Exception {
    LoadedBackbone direct = Backbones.load(weights("clip/hf"), null);
    LoadedBackbone back = roundTrip(direct);
    assertEquals(tmp.resolve("backbone/vocab.json"), back.vocab());
    assertEquals(Files.readString(path("clip/hf/vocab.json")),
        Files.readString(tmp.resolve("backbone/vocab.json")));
    assertEquals(Files.readString(path("clip/hf/merges.txt")),
        Files.readString(tmp.resolve("backbone/merges.txt")));
    ModelFixtures.Outputs out = ModelFixtures.runClip(back);
    assertSameOutputs(ModelFixtures.runClip(direct), out);
    ModelFixtures.assertClose("clip round trip logits", out.logits(), "clip/logits.npy");
  }

  @Test
  void openAiClipConvertsClipsMergesFile() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("openai"));
    Files.copy(path("clip/openai.safetensors"), src.resolve("ViT-tiny.safetensors"));
    Files.copy(path("../tokenizer/bpe_small_vocab.txt.gz"),
        src.resolve(BpeVocabularyFiles.CLIP_MERGES_FILE));
    LoadedBackbone direct = Backbones.load(weights(src.resolve("ViT-tiny.safetensors"),
        WeightsFormat.AUTO), requested(ClipImportTest.HEADS));
    assertEquals(src.resolve(BpeVocabularyFiles.CLIP_MERGES_FILE), direct.vocab());
    LoadedBackbone back = roundTrip(direct);
    assertEquals(BpeVocabularyFiles.load(direct.vocab()).size(),
        BpeVocabularyFiles.load(back.vocab()).size());
    // the heads given once are stated by model.pbtxt from then on
    assertEquals(4, back.model().getClip().getVisionHeads());
    ModelFixtures.assertClose("clip openai round trip text features",
        ModelFixtures.runClip(back).textFeatures(), "clip/text_features.npy");
  }

  @Test
  void resampledImportKeepsItsSize() {
    LoadedBackbone direct = Backbones.load(weights("vit/google.npz"),
        requested("vit { image_size: 48 }"));
    LoadedBackbone back = roundTrip(direct);
    assertEquals(48, back.model().getVit().getImageSize());
    assertNull(back.report().resampled());
    // and a TFPEFT directory can be resampled again
    LoadedBackbone again = Backbones.load(weights(tmp.resolve("backbone"), WeightsFormat.TFPEFT),
        requested("vit { image_size: 16 }"));
    assertArrayEquals(new long[] {5, 32}, again.shapes().get("backbone/pos_embed"));
  }

  @Test
  void existingDirectoryIsKeptUnlessOverwriting() throws Exception {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    Path dir = Files.createDirectories(tmp.resolve("backbone"));
    // an earlier backbone directory (--overwrite replaces nothing else; see AtomicFilesTest)
    Files.writeString(dir.resolve("model.pbtxt"), "vit {}");
    Files.writeString(dir.resolve("old.txt"), "old");
    assertUsageError(() -> BackboneDirectory.write(dir, b, false), "exists", "--overwrite");
    assertTrue(Files.exists(dir.resolve("old.txt")));
    BackboneDirectory.write(dir, b, true);
    assertFalse(Files.exists(dir.resolve("old.txt")));
    assertNotNull(Backbones.load(weights(dir, WeightsFormat.AUTO), null));
    try (var s = Files.list(tmp)) {
      assertEquals(List.of(dir), s.toList(), "no temporary directories left");
    }
  }

  @Test
  void pretrainedBackboneDirectoriesLoad() throws Exception {
    // model.pbtxt as PretrainedBackbone writes it: a header comment and the text format
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls"), null);
    Path dir = tmp.resolve("backbone");
    BackboneDirectory.write(dir, b, false);
    Files.writeString(dir.resolve("model.pbtxt"), "# tfpeft backbone architecture\n"
        + com.google.protobuf.TextFormat.printer().printToString(b.model()));
    LoadedBackbone back = Backbones.load(weights(dir.resolve("weights.safetensors"),
        WeightsFormat.AUTO), null);
    assertEquals(WeightsFormat.TFPEFT, back.report().format());
    assertEquals("tfpeft backbone directory", back.report().layout());
  }

  @Test
  void aFailedWriteLeavesNothingAndKeepsTheOldDirectory() throws Exception {
    LoadedBackbone b = Backbones.load(weights("clip/hf"), null);
    Path lonely = Files.createDirectories(tmp.resolve("vocab-only"));
    Files.copy(path("clip/hf/vocab.json"), lonely.resolve("vocab.json"));
    // a vocab.json whose merges.txt vanished between load and write
    LoadedBackbone broken = new LoadedBackbone(b.model(), b.tensors(), b.shapes(),
        lonely.resolve("vocab.json"), b.report());
    Path out = tmp.resolve("out");
    tfpeft.TfpeftException e = org.junit.jupiter.api.Assertions.assertThrows(
        tfpeft.TfpeftException.class, () -> BackboneDirectory.write(out, broken, false));
    assertEquals(tfpeft.TfpeftException.FAILURE, e.exitCode());
    assertTrue(e.getMessage().contains("cannot write " + out), e.getMessage());
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "old");
    assertThrows(() -> BackboneDirectory.write(out, broken, true));
    assertTrue(Files.exists(out.resolve("keep.txt")), "the old directory survives");
    try (var s = Files.list(tmp)) {
      assertEquals(List.of("out", "vocab-only"), s.map(p -> p.getFileName().toString())
          .sorted().toList(), "no temporary directories left");
    }
  }

  private static void assertThrows(org.junit.jupiter.api.function.Executable e) {
    org.junit.jupiter.api.Assertions.assertThrows(tfpeft.TfpeftException.class, e);
  }

  @Test
  void theShippedPretrainedBackbonesLoad() {
    LoadedBackbone vit = Backbones.load(weights(Path.of("checkpoints/pretrained/vit-small"),
        WeightsFormat.AUTO), null);
    assertEquals(WeightsFormat.TFPEFT, vit.report().format());
    assertEquals(458_592, vit.parameterCount());
    LoadedBackbone clip = Backbones.load(weights(Path.of("checkpoints/pretrained/clip-small"),
        WeightsFormat.AUTO), requested("clip { image_size: 48 }"));
    assertEquals(884_833, clip.parameterCount() - 12L * 12 * 96 + 8L * 8 * 96);
    assertEquals(Path.of("checkpoints/pretrained/clip-small/vocab.json").toAbsolutePath(),
        clip.vocab().toAbsolutePath());
  }
}
