package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertUsageError;
import static tfpeft.model.imports.ModelFixtures.path;
import static tfpeft.model.imports.ModelFixtures.requested;
import static tfpeft.model.imports.ModelFixtures.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.SafetensorsWriter;

/** Tensors left over, weights.ignore, and what the tables drop on their own. */
class IgnoreTest {
  @TempDir
  Path tmp;

  private Path withExtras() throws Exception {
    return BadFilesTest.hfVit(tmp.resolve("extras"), ts -> {
      ts.add(new NamedTensor("extra.mask_token", new long[] {1, 1, 32}, new float[32]));
      ts.add(new NamedTensor("extra.teacher.weight", new long[] {4}, new float[4]));
      return ts;
    });
  }

  @Test
  void unusedTensorsFailListingThemAndSayingHowToIgnore() throws Exception {
    Path dir = withExtras();
    String m = assertUsageError(() -> Backbones.load(weights(dir, WeightsFormat.AUTO), null),
        dir.resolve("model.safetensors").toString(), "2 tensors of the file are not used",
        "extra.mask_token", "extra.teacher.weight", "weights { ignore: \"extra.mask_token\" }",
        "--ignore 'extra.mask_token'", "'extra.*'");
    assertFalse(m.contains("has no tensor"), m);
  }

  @Test
  void ignoredByNameOrPattern() throws Exception {
    Path dir = withExtras();
    LoadedBackbone byName = Backbones.load(weights(dir, WeightsFormat.AUTO, "extra.mask_token",
        "extra.teacher.weight"), null);
    assertEquals(List.of("extra.mask_token", "extra.teacher.weight"), byName.report().ignored());
    LoadedBackbone byGlob = Backbones.load(weights(dir, WeightsFormat.AUTO, "extra.*"), null);
    assertEquals(byName.report().ignored(), byGlob.report().ignored());
    assertEquals(5, byGlob.headClasses());
    ModelFixtures.assertClose("vit with ignored extras logits",
        ModelFixtures.runVit(byGlob).logits(), "vit/logits.npy");
    assertTrue(byGlob.report().toString().contains("ignored as asked: 2"),
        byGlob.report().toString());
  }

  @Test
  void globsMatchDotsSlashesAndSingleCharacters() {
    IgnoreList l = new IgnoreList(List.of("head/*", "a?c", "x.y"));
    assertTrue(l.matches("head/kernel"));
    assertTrue(l.matches("head/sub/bias"));
    assertTrue(l.matches("abc"));
    assertFalse(l.matches("abbc"));
    assertTrue(l.matches("x.y"));
    assertFalse(l.matches("xzy"), "a dot is literal");
    assertEquals(List.of("a?c"), l.unmatched(List.of("head/kernel", "x.y")));
  }

  @Test
  void ignoringTheHeadDropsIt() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz", "head/*"), null);
    assertEquals(0, b.headClasses());
    assertFalse(b.tensors().keySet().stream().anyMatch(n -> n.startsWith("head/")));
    ModelFixtures.assertClose("vit npz without head features",
        ModelFixtures.runVit(b).features(), "vit/features.npy");
    LoadedBackbone hf = Backbones.load(weights("vit/hf_cls", "classifier.*"), null);
    assertEquals(0, hf.headClasses());
  }

  @Test
  void ignoringPreLogitsDropsTheLayer() {
    LoadedBackbone b = Backbones.load(weights("vit_pre/google.npz", "pre_logits/*"), null);
    assertFalse(b.model().getVit().getPreLogits());
    assertUsageError(() -> Backbones.load(weights("vit_pre/google.npz"),
        requested("vit { pre_logits: false }")), "model.vit.pre_logits", "have true");
  }

  @Test
  void ignoringANeededTensorIsReported() {
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls",
        "vit.encoder.layer.1.output.dense.bias"), null),
        "backbone/block1/mlp/fc2/bias <- 'vit.encoder.layer.1.output.dense.bias' (excluded by "
            + "weights.ignore)");
    assertUsageError(() -> Backbones.load(weights("vit/hf_cls", "vit.embeddings.*"), null),
        "tensor 'vit.embeddings.cls_token' is needed", "weights.ignore excludes it");
  }

  @Test
  void patternsThatMatchNothingAreReported() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls", "classifer.*"), null);
    assertEquals(List.of("classifer.*"), b.report().unmatchedIgnores());
    assertTrue(b.report().toString().contains("warning: ignore pattern 'classifer.*' matches no"
        + " tensor"), b.report().toString());
  }

  @Test
  void tablesDropKnownHarmlessTensors() throws Exception {
    // OpenAI's original checkpoints carry three scalars beside the weights
    List<NamedTensor> ts = new ArrayList<>(
        SafetensorsReader.read(path("clip/openai.safetensors")).tensors());
    for (String n : new String[] {"input_resolution", "context_length", "vocab_size"}) {
      ts.add(new NamedTensor(n, new long[] {}, new float[] {1}));
    }
    Path f = tmp.resolve("openai.safetensors");
    SafetensorsWriter.write(f, ts);
    LoadedBackbone b = Backbones.load(weights(f, WeightsFormat.AUTO),
        requested(ClipImportTest.HEADS));
    assertEquals(List.of("input_resolution", "context_length", "vocab_size"),
        b.report().dropped());
    assertTrue(Files.exists(f));
  }
}
