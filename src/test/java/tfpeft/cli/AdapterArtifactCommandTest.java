package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.AdapterArtifact;
import tfpeft.train.TinyRuns;

/**
 * {@code export RUN --adapter}, {@code train --init-adapter} and {@code inspect} of an artifact
 * from the command line, and the bad inputs each refuses with exit 2.
 */
class AdapterArtifactCommandTest {
  @TempDir static Path dir;
  static Path config;
  static Path run;
  static Path artifact;
  static String exported;

  static MainTest.Result tfpeft(String... args) {
    return MainTest.run(args);
  }

  @BeforeAll
  static void trainAndExport() throws IOException {
    RunConfig c = TinyRuns.vit(dir, "lora", MethodConfig.newBuilder().setLora(
        LoraConfig.newBuilder().setRank(2)).build()).build();
    c = c.toBuilder().setTraining(c.getTraining().toBuilder().setEpochs(2)).build();
    config = dir.resolve("lora.pbtxt");
    Files.writeString(config, TextFormat.printer().printToString(c));
    MainTest.Result t = tfpeft("train", "--config", config.toString());
    assertEquals(0, t.code(), t.err());
    run = dir.resolve("lora");
    artifact = dir.resolve("lora-adapter");
    MainTest.Result r = tfpeft("export", run.toString(), "--adapter", artifact.toString());
    assertEquals(0, r.code(), r.err());
    exported = r.out();
  }

  @Test
  void exportPrintsTheSizeOnDiskAndTheAdapterBytesAgainstTheAccounting() {
    assertTrue(exported.contains("bytes on disk"), exported);
    assertTrue(exported.contains("adapter weights 1,024 bytes") && exported.contains(
        "counts 1,024 bytes: equal"), exported);
  }

  /** The artifact served on its base (once for the tests that look at it), and how. */
  record ServedArtifact(Path out, MainTest.Result result, long graphsBuilt) {}

  static ServedArtifact servedArtifact;

  static synchronized ServedArtifact servedArtifact() {
    if (servedArtifact == null) {
      Path out = dir.resolve("served-artifact");
      long before = tfpeft.train.TrainGraph.graphsBuilt();
      MainTest.Result a = tfpeft("export", "--adapter", artifact.toString(), "--out",
          out.toString());
      servedArtifact = new ServedArtifact(out, a, tfpeft.train.TrainGraph.graphsBuilt() - before);
    }
    return servedArtifact;
  }

  @Test
  void servingAnArtifactBuildsTheRunsGraphOnce() {
    ServedArtifact served = servedArtifact();
    assertEquals(0, served.result().code(), served.result().err());
    // one session holds the artifact on its base, gives the reference logits and folds
    assertEquals(1, served.graphsBuilt());
  }

  @Test
  void theArtifactOnItsBaseServesAsTheRunItCameFrom() {
    ServedArtifact served = servedArtifact();
    Path fromArtifact = served.out();
    MainTest.Result a = served.result();
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().contains("LoRA merged into the weights"), a.out());
    Path fromRun = dir.resolve("served-run");
    MainTest.Result r = tfpeft("export", run.toString(), "--out", fromRun.toString());
    assertEquals(0, r.code(), r.err());
    int size = tfpeft.train.TinyRuns.IMAGE;
    float[] px = new float[3 * size * size * 3];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextDouble();
    }
    try (var x = tfpeft.export.ServingExport.open(fromArtifact);
        var y = tfpeft.export.ServingExport.open(fromRun)) {
      assertEquals(y.classNames(), x.classNames());
      float[][] got = x.logits(px, 3);
      float[][] want = y.logits(px, 3);
      for (int i = 0; i < 3; i++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(want[i], got[i], 1e-5f);
      }
    }
  }

  @Test
  void servingAnArtifactNeedsOut() {
    MainTest.Result r = tfpeft("export", "--adapter", artifact.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("name the SavedModel directory with --out"), r.err());
  }

  @Test
  void optionsTheFormWouldIgnoreAreRefused() {
    MainTest.Result w = tfpeft("export", run.toString(), "--adapter",
        dir.resolve("unwritten").toString(), "--keep-lora");
    assertEquals(2, w.code(), w.err());
    assertTrue(w.err().contains("--keep-lora does not apply here: export RUN_DIR --adapter DIR"
        + " writes an artifact"), w.err());
    MainTest.Result s = tfpeft("export", "--adapter", artifact.toString(), "--out",
        dir.resolve("unserved").toString(), "--checkpoint", "best");
    assertEquals(2, s.code(), s.err());
    assertTrue(s.err().contains("--checkpoint does not apply here: export --adapter ART --out"
        + " DIR serves an artifact"), s.err());
    assertTrue(Files.notExists(dir.resolve("unwritten"))
        && Files.notExists(dir.resolve("unserved")));
  }

  @Test
  void exportWithNothingToServeSaysWhatItTakes() {
    MainTest.Result r = tfpeft("export");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("export needs what to serve: a run directory"), r.err());
  }

  @Test
  void aRunStartsFromTheArtifactWithItsTrainedValues() throws IOException {
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        artifact.toString(), "--set", "name=from-artifact", "--set", "training.epochs=0");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("starting from adapter artifact " + artifact), r.err());
    JsonObject source = JsonParser.parseString(Files.readString(run.resolve("report.json")))
        .getAsJsonObject().getAsJsonObject("test");
    JsonObject started = JsonParser.parseString(Files.readString(dir.resolve("from-artifact")
        .resolve("report.json"))).getAsJsonObject().getAsJsonObject("test");
    assertEquals(source.get("top1"), started.get("top1"));
  }

  @Test
  void anotherBaseIsRefusedNamingBothBasesAndChecksums() {
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        artifact.toString(), "--set", "name=other-base", "--set", "seed=4");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("made for base random initialization (seed 3) (sha256 ")
        && r.err().contains("but the model's weights are random initialization (seed 4)"
        + " (sha256 "), r.err());
    assertTrue(Files.notExists(dir.resolve("other-base")),
        "a refused run leaves no run directory behind");
  }

  @Test
  void aDifferentMethodConfigIsRefusedNamingTheField() {
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        artifact.toString(), "--set", "method.lora.rank=4");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("the config's method.lora.rank is 4 but the artifact was"
        + " trained with 2"), r.err());
  }

  @Test
  void aMissingArtifactIsRefused() {
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        dir.resolve("nothing").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("no such adapter artifact directory"), r.err());
  }

  @Test
  void aTruncatedTensorFileIsRefused() throws IOException {
    Path copy = copy("truncated");
    try (FileChannel ch = FileChannel.open(copy.resolve(AdapterArtifact.TENSORS),
        StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("truncated"), r.err());
    r = tfpeft("inspect", copy.toString());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void aFlippedBitInTheTensorsIsRefusedByTheirSha256() throws IOException {
    Path copy = copy("flipped");
    Path tensors = copy.resolve(AdapterArtifact.TENSORS);
    byte[] b = Files.readAllBytes(tensors);
    b[b.length - 3] ^= 0x10; // inside the last tensor's float data: still a valid file
    Files.write(tensors, b);
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(tensors + ": its SHA-256 is "), r.err());
    assertTrue(r.err().contains("the file was damaged or changed after export"), r.err());
    r = tfpeft("inspect", copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("its SHA-256 is"), r.err());
  }

  @Test
  void aManifestWithoutFileDigestsIsRefused() throws IOException {
    Path copy = copy("nodigests");
    Path m = copy.resolve(AdapterArtifact.MANIFEST);
    JsonObject manifest = JsonParser.parseString(Files.readString(m)).getAsJsonObject();
    manifest.remove("files");
    Files.writeString(m, manifest.toString());
    MainTest.Result r = tfpeft("inspect", copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("records no SHA-256 of the artifact's files"), r.err());
  }

  @Test
  void aNanWeightIsRefusedNamingTheTensor() {
    AdapterArtifact a = AdapterArtifact.read(artifact);
    java.util.List<tfpeft.export.ArtifactTensor> tensors = new java.util.ArrayList<>();
    String damaged = null;
    for (tfpeft.export.ArtifactTensor t : a.tensors()) {
      if (damaged == null && t.encoding() == tfpeft.export.ArtifactTensor.Encoding.FLOAT32
          && t.effective().length > 2) {
        float[] v = t.effective();
        v[2] = Float.NaN;
        t = tfpeft.export.ArtifactTensor.float32(t.name(), t.shape(), t.role(), v);
        damaged = t.name();
      }
      tensors.add(t);
    }
    Path copy = dir.resolve("nan");
    new AdapterArtifact(a.config(), a.base(), a.toolVersion(), a.classNames(), a.templates(),
        a.methodState(), a.source(), tensors).write(copy);
    MainTest.Result r = tfpeft("inspect", copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(copy.resolve(AdapterArtifact.TENSORS) + ": tensor '" + damaged
        + "' holds NaN at index 2 of "), r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void exportIntoAPlaceTensorFlowCannotWriteIsAnErrorNotATrace() {
    // a name longer than the file system allows: the SavedModel writer's own refusal, as a
    // full disk or a read-only directory gives it
    Path out = dir.resolve("x".repeat(250));
    MainTest.Result r = tfpeft("export", run.toString(), "--out", out.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("tfpeft export: error: cannot write the SavedModel into "
        + dir), r.err());
    assertTrue(r.err().contains("choose another --out (nothing was written to " + out + ")"),
        r.err());
    assertTrue(!r.err().contains("internal error") && !r.err().contains("\tat "), r.err());
  }

  @Test
  void evalThatCannotSaveItsResultsSaysTheyWereNotSaved() throws IOException {
    Path blocked = run.resolve("eval_epoch-0002_test.json");
    Files.createDirectories(blocked.resolve("in-the-way"));
    try {
      MainTest.Result r = tfpeft("eval", run.toString());
      assertEquals(1, r.code(), r.err());
      assertTrue(r.out().contains("test: top-1"), r.out());
      assertTrue(r.err().contains("tfpeft eval: error: the results above were not saved:"
          + " cannot write " + blocked), r.err());
      assertTrue(!r.err().contains("\tat "), r.err());
    } finally {
      tfpeft.util.AtomicFiles.deleteTree(blocked);
    }
  }

  @Test
  void anotherFormatVersionIsRefused() throws IOException {
    Path copy = copy("version");
    Path m = copy.resolve(AdapterArtifact.MANIFEST);
    Files.writeString(m, Files.readString(m).replace(AdapterArtifact.FORMAT,
        "tfpeft-adapter-artifact-9"));
    MainTest.Result r = tfpeft("train", "--config", config.toString(), "--init-adapter",
        copy.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("format 'tfpeft-adapter-artifact-9', but this build"), r.err());
  }

  @Test
  void exportRefusesAnExistingDirectoryWithoutOverwrite() {
    MainTest.Result r = tfpeft("export", run.toString(), "--adapter", artifact.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("exists"), r.err());
  }

  static Path copy(String name) throws IOException {
    Path to = dir.resolve(name);
    TinyRuns.copyTree(artifact, to);
    return to;
  }
}
