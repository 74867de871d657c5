package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.ImageFolderSource;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.RunDirectory;
import tfpeft.train.TinyRuns;

/**
 * What {@code tfpeft export RUN} refuses, each with exit code 2, a message naming the path and
 * what to do, and nothing written; and what it does when the run's data is gone.
 */
class RunExportInputsTest {
  @TempDir static Path runs;
  static Path lora;

  @TempDir Path dir;

  @BeforeAll
  static void trainALoraRun() {
    RunConfig.Builder b = TinyRuns.vit(runs, "lora", MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(2)).build());
    b.getTrainingBuilder().setEpochs(2).setWarmupEpochs(0);
    lora = RunExportTest.train(b.build());
  }

  /** A copy of the trained run to damage. */
  Path copy(String name) throws IOException {
    Path to = dir.resolve(name);
    TinyRuns.copyTree(lora, to);
    return to;
  }

  MainTest.Result export(Path run, String... more) {
    String[] args = new String[4 + more.length];
    args[0] = "export";
    args[1] = run.toString();
    args[2] = "--out";
    args[3] = dir.resolve("out").toString();
    System.arraycopy(more, 0, args, 4, more.length);
    return MainTest.run(args);
  }

  /** Exit 2, the message holds every part, and no directory (or hidden leftover) appeared. */
  void refused(MainTest.Result r, String... parts) throws IOException {
    assertEquals(2, r.code(), r.err() + r.out());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "'" + p + "' not in: " + r.err());
    }
    assertFalse(Files.exists(dir.resolve("out")));
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")));
    }
  }

  static Path lastData(Path run) {
    return new RunDirectory(run).checkpoints().latest().orElseThrow().dir()
        .resolve("variables.data-00000-of-00001");
  }

  @Test
  void aDirectoryWithoutAConfigIsNotARun() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    refused(export(empty), empty + " is not a run directory", "no config.pbtxt");
    refused(export(dir.resolve("absent")), "absent: no such directory");
  }

  @Test
  void aRunWithoutACheckpointSaysToTrainItFirst() throws IOException {
    Path run = Files.createDirectories(dir.resolve("fresh"));
    Files.copy(lora.resolve("config.pbtxt"), run.resolve("config.pbtxt"));
    refused(export(run), "has no complete checkpoint yet", "train the run first");
  }

  @Test
  void aTruncatedDataFileIsRefused() throws IOException {
    Path run = copy("truncated");
    Path data = lastData(run);
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    refused(export(run), data.toString(), "truncated", "--checkpoint", "epoch-0001");
  }

  @Test
  void aCorruptTensorFailsItsChecksum() throws IOException {
    Path run = copy("corrupt");
    Path data = lastData(run);
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
      f.seek(64);
      int b = f.read();
      f.seek(64);
      f.write(b ^ 0xff);
    }
    refused(export(run), "fails its CRC32C check", "--checkpoint");
  }

  @Test
  void aCheckpointOfAnotherArchitectureNamesTheMisShapedTensor() throws IOException {
    Path run = copy("foreign");
    Path config = run.resolve("config.pbtxt");
    Files.writeString(config, Files.readString(config).replace("width: 16", "width: 8"));
    refused(export(run), "backbone/", "has shape", "16]", "another config");
  }

  @Test
  void aMissingCheckpointIsNamed() throws IOException {
    refused(export(lora, "--checkpoint", "epoch-0042"), "--checkpoint epoch-0042",
        "no such checkpoint");
  }

  @Test
  void anExistingOutputIsKeptWithoutOverwrite() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    MainTest.Result r = export(lora);
    assertEquals(2, r.code());
    assertTrue(r.err().contains(out + " exists; choose another --out or pass --overwrite"),
        r.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    // not an earlier SavedModel: --overwrite leaves it alone too
    r = export(lora, "--overwrite");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(out + " exists and is not an earlier output of this command"),
        r.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    // an earlier export is replaced, whatever else was put in it
    Files.writeString(out.resolve("saved_model.pb"), "an earlier export");
    assertEquals(0, export(lora, "--overwrite").code());
    assertFalse(Files.exists(out.resolve("keep.txt")));
  }

  @Test
  void keepLoraNeedsARunWithLora() throws IOException {
    RunConfig.Builder b = TinyRuns.vit(dir, "full", MethodConfig.newBuilder()
        .setFullFinetune(tfpeft.config.proto.FullFinetuneConfig.getDefaultInstance()).build());
    Path run = Files.createDirectories(dir.resolve("full"));
    Files.writeString(run.resolve("config.pbtxt"), RunDirectory.configText(b.build(), "x"));
    refused(export(run, "--keep-lora"), "--keep-lora", "method.full_finetune",
        "leave the flag out");
  }

  @Test
  void logitsBeyondTheToleranceWriteNothingAndFail() throws IOException {
    Path run = copy("strict");
    Path config = run.resolve("config.pbtxt");
    RunConfig c = new RunDirectory(run).readConfig();
    // merging changes float rounding; a limit of 0 cannot be met
    Files.writeString(config, RunDirectory.configText(c.toBuilder().setExport(
        c.getExport().toBuilder().setCheckTolerance(0)).build(), "x"));
    MainTest.Result r = export(run);
    assertEquals(1, r.code(), r.err() + r.out());
    assertTrue(r.err().contains("differ from the trained graph's by"), r.err());
    assertTrue(r.err().contains("nothing was written"), r.err());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void withoutItsDataARunIsCheckedOnRandomImagesWithTheReportsClassNames() throws IOException {
    Path run = copy("nodata");
    RunConfig c = new RunDirectory(run).readConfig();
    Files.writeString(run.resolve("config.pbtxt"), RunDirectory.configText(c.toBuilder()
        .setData(c.getData().toBuilder().setImageFolder(ImageFolderSource.newBuilder()
            .setTrainDir(dir.resolve("gone").toString()))).build(), "x"));
    MainTest.Result r = export(run);
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("on 8 deterministic random images"), r.out());
    assertTrue(r.err().contains("data is not available"), r.err());
    String report = Files.readString(run.resolve("report.json"));
    for (String name : tfpeft.export.ServingExport.classNames(dir.resolve("out"))) {
      assertTrue(report.contains("\"" + name + "\""), name);
    }
  }
}
