package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    Commands.Result r = Commands.run(args);
    return new Result(r.code(), r.out(), r.err());
  }

  static final String CONFIG = """
      model { vit { image_size: 32 patch_size: 4 width: 64 depth: 2 heads: 4 } }
      data { synthetic { task: "shape" } }
      method { lora { rank: 4 } }
      """;

  @Test
  void helpListsEveryCommand() {
    Result r = run("--help");
    assertEquals(0, r.code());
    for (String c : new String[] {"train", "eval", "predict", "export", "inspect", "import",
        "pretrain", "graph", "bench", "data", "config", "report"}) {
      assertTrue(r.out().contains("\n  " + c + " "), c + " missing from\n" + r.out());
    }
  }

  @Test
  void noArgumentsPrintsHelpAndIsAUsageError() {
    Result r = run();
    assertEquals(2, r.code());
    assertTrue(r.out().contains("commands:"));
  }

  @Test
  void eachCommandHasItsOwnHelp() {
    for (String c : Main.commandNames(new Main())) {
      Result r = run(c, "--help");
      assertEquals(0, r.code(), c);
      assertTrue(r.out().startsWith("usage: tfpeft " + c), c + ": " + r.out());
    }
  }

  @Test
  void unknownCommandSuggestsTheNearestAndExitsTwo() {
    Result r = run("trian");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("did you mean 'train'"), r.err());
  }

  @Test
  void unknownOptionIsAUsageError() {
    Result r = run("config", "check", "--bogus");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Unrecognized option: --bogus"), r.err());
  }

  @Test
  void configCheckPrintsTheResolvedConfig(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("run.pbtxt"), CONFIG);
    Result r = run("config", "check", "--config", f.toString(), "--set", "training.epochs=7");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("epochs: 7"), r.out());
    assertTrue(r.out().contains("batch_size: 64"), r.out());
  }

  @Test
  void badConfigExitsTwoNamingFileLineAndField(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("run.pbtxt"), CONFIG + "training { epochs: -1 }\n");
    Result r = run("config", "check", "--config", f.toString());
    assertEquals(2, r.code());
    assertEquals("tfpeft config: error: " + f + ":4:12: training.epochs: must be >= 0, got -1\n",
        r.err());
  }

  @Test
  void configReferenceDocumentsEveryFieldWithItsComment() {
    Result r = run("config", "reference");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("| `learning_rate` | float | 0.001 | > 0 | Peak learning rate. |"),
        r.out());
    assertTrue(r.out().contains("#### enum Optimizer"));
  }

  @Test
  void exportingARunThatIsNotThereIsAUsageError() {
    Result r = run("export", "some/run");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("some/run: no such directory"), r.err());
  }

  // ---- import ----

  private static String fixture(String name) throws Exception {
    return Path.of(MainTest.class.getResource("/fixtures/models/" + name).toURI()).toString();
  }

  /** Entries of {@code dir}, hidden temporary ones included. */
  private static java.util.List<String> entries(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void importWritesABackboneDirectoryAndReportsIt(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("vit-tiny");
    Result r = run("import", fixture("vit/hf_cls_fp16"), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("architecture: vit { image_size: 32 patch_size: 8 width: 32 "
        + "depth: 2 heads: 4"), r.out());
    assertTrue(r.out().contains("backbone parameters"), r.out());
    assertTrue(r.out().contains("head: 5 classes"), r.out());
    assertTrue(r.out().contains("stored as F16"), r.out());
    // the fixture's id2label names its classes class_0 ... class_4
    assertEquals(java.util.List.of("class_names.txt", "model.pbtxt", "preprocess.pbtxt",
        "weights.safetensors"), entries(out));
    assertEquals(java.util.List.of("vit-tiny"), entries(dir));
    // a Hugging Face ViT without preprocessor_config.json: its processor's default, [-1, 1]
    String pre = Files.readString(out.resolve("preprocess.pbtxt"));
    assertTrue(pre.contains("normalization: CUSTOM") && pre.contains("mean: 0.5")
        && pre.contains("std: 0.5"), pre);
    // and it imports again, as format tfpeft, at another size
    Result again = run("import", out.toString(), "--out", dir.resolve("at48").toString(),
        "--image-size", "48");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("format TFPEFT"), again.out());
    assertTrue(again.out().contains("resampled from 4x4 to 6x6"), again.out());
  }

  @Test
  void importOfClipCopiesTheTokenizer(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("clip");
    Result r = run("import", fixture("clip/hf"), "--out", out.toString(), "--format", "hf");
    assertEquals(0, r.code(), r.err());
    assertEquals(java.util.List.of("merges.txt", "model.pbtxt", "preprocess.pbtxt",
        "vocab.json", "weights.safetensors"), entries(out));
    assertTrue(Files.readString(out.resolve("preprocess.pbtxt"))
        .contains("normalization: CLIP"));
    assertTrue(r.out().contains("dropped as harmless by the format's table: 2"), r.out());
  }

  @Test
  void importOfOpenAiClipNeedsHeadsForNarrowWidths(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("clip");
    Result r = run("import", fixture("clip/openai.safetensors"), "--out", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--heads N"), r.err());
    assertTrue(entries(dir).isEmpty(), entries(dir).toString());
    r = run("import", fixture("clip/openai.safetensors"), "--out", out.toString(), "--heads",
        "4", "--text-heads", "4");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("vision_heads: 4"), r.out());
    assertTrue(r.out().contains("note: no tokenizer vocabulary"), r.out());
  }

  @Test
  void importOfABadFileExitsTwoAndLeavesNothing(@TempDir Path dir) throws Exception {
    byte[] bytes = Files.readAllBytes(Path.of(fixture("vit/google.npz")));
    Path bad = Files.write(dir.resolve("cut.npz"), java.util.Arrays.copyOf(bytes, 5000));
    Path out = dir.resolve("out");
    Result r = run("import", bad.toString(), "--out", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("tfpeft import: error: " + bad + ": not a valid .npz"), r.err());
    assertEquals(java.util.List.of("cut.npz"), entries(dir));
  }

  @Test
  void importOfUnusedTensorsNeedsIgnore(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.copy(Path.of(fixture("vit_pre/google.npz")), src.resolve("w.npz"));
    Result r = run("import", src.resolve("w.npz").toString(), "--out",
        dir.resolve("out").toString(), "--format", "npz", "--heads", "4");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("pre_logits: true"), r.out());
    r = run("import", src.resolve("w.npz").toString(), "--out", dir.resolve("out2").toString(),
        "--ignore", "pre_logits/*", "--ignore", "head/*");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("pre_logits: false"), r.out());
    assertTrue(r.out().contains("head: none"), r.out());
  }

  @Test
  void importUsageErrors(@TempDir Path dir) throws Exception {
    String src = fixture("vit/google.npz");
    Path out = Files.createDirectories(dir.resolve("exists"));
    assertEquals(2, run("import", "--out", dir.resolve("a").toString()).code());
    assertEquals(2, run("import", src).code());
    Result r = run("import", src, "--out", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--overwrite"), r.err());
    assertEquals(0, run("import", src, "--out", out.toString(), "--overwrite").code());
    r = run("import", src, "--out", dir.resolve("b").toString(), "--format", "pickle");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown format 'pickle'"), r.err());
    r = run("import", src, "--out", dir.resolve("c").toString(), "--text-heads", "2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no text tower"), r.err());
    r = run("import", src, "--out", dir.resolve("d").toString(), "--image-size", "-3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--image-size expects a positive integer"), r.err());
    r = run("import", src, "--out", dir.resolve("e").toString(), "--heads", "8");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("model.vit.heads"), r.err());
  }
}
