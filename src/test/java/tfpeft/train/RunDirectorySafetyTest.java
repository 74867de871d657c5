package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.MetricsLog;
import tfpeft.util.DirectoryLock;

/**
 * What a run directory guarantees the user: --overwrite loses nothing before the new run has
 * loaded, runs stay inside output_dir and out of directories tfpeft did not make, one writer at
 * a time, links that follow the checkpoints, and damaged checkpoints named rather than skipped.
 */
class RunDirectorySafetyTest {
  @TempDir Path out;

  static TfpeftException refused(RunConfig c, Trainer.Resume resume) {
    return assertThrows(TfpeftException.class,
        () -> TrainerTest.train(c, resume, new ByteArrayOutputStream()));
  }

  Path run() {
    return out.resolve("tiny");
  }

  @Test
  void overwriteWithAMisspeltTaskKeepsTheFinishedRun() throws Exception {
    TrainerTest.train(TrainerTest.oneStep(out).build(), Trainer.Resume.AUTO,
        new ByteArrayOutputStream());
    RunConfig.Builder typo = TrainerTest.oneStep(out);
    typo.getDataBuilder().getSyntheticBuilder().setTask("shpae");
    assertEquals(2, refused(typo.build(), Trainer.Resume.OVERWRITE).exitCode());
    assertEquals(List.of(1), epochs(run()));
    assertTrue(Files.isRegularFile(run().resolve(RunDirectory.REPORT)));
  }

  @Test
  void aNameThatLeavesOutputDirIsRefused() {
    for (String name : List.of("../escaped", "a/b", out.resolve("abs").toString(), "..")) {
      TfpeftException e = refused(TrainerTest.oneStep(out.resolve("runs")).setName(name)
          .build(), Trainer.Resume.OVERWRITE);
      assertEquals(2, e.exitCode());
      assertTrue(e.getMessage().startsWith("name: '" + name + "' is not a plain directory"),
          e.getMessage());
    }
    assertFalse(Files.exists(out.resolve("escaped")));
    assertFalse(Files.exists(out.resolve("abs")));
  }

  @Test
  void overwriteRefusesADirectoryThatIsNotARunAndLeavesItsFiles() throws Exception {
    Path mine = Files.createDirectories(run()).resolve("thesis.tex");
    Files.writeString(mine, "years of work");
    TfpeftException e = refused(TrainerTest.oneStep(out).build(), Trainer.Resume.OVERWRITE);
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("is not a tfpeft run directory (it holds thesis.tex"),
        e.getMessage());
    assertEquals("years of work", Files.readString(mine));
  }

  @Test
  void aRunDoesNotWriteItsLogsIntoADirectoryThatIsNotARun() throws Exception {
    Files.writeString(Files.createDirectories(run()).resolve("notes.txt"), "mine");
    refused(TrainerTest.oneStep(out).build(), Trainer.Resume.AUTO);
    assertFalse(Files.exists(run().resolve(MetricsLog.FILE)));
    assertFalse(Files.exists(run().resolve(RunDirectory.REPORT)));
  }

  @Test
  void aSecondWriterFailsAtOnceNamingTheHolder() throws Exception {
    Files.createDirectories(run());
    try (DirectoryLock held = DirectoryLock.acquire(run(), "tfpeft eval " + run())) {
      TfpeftException e = refused(TrainerTest.oneStep(out).build(), Trainer.Resume.AUTO);
      assertEquals(1, e.exitCode());
      assertTrue(e.getMessage().startsWith(run() + " is in use by another tfpeft process (pid "
          + ProcessHandle.current().pid() + ", tfpeft eval " + run() + ", started "),
          e.getMessage());
    }
    assertFalse(Files.exists(run().resolve(MetricsLog.FILE)), "the refused run wrote nothing");
    TrainerTest.train(TrainerTest.oneStep(out).build(), Trainer.Resume.AUTO,
        new ByteArrayOutputStream());
    assertEquals(List.of(1), epochs(run()));
  }

  @Test
  void aLockHeldByAnotherProcessRefusesAndGoesWithItsProcess() throws Exception {
    RunConfig c = TrainerTest.oneStep(out).build();
    Path file = out.resolve("tiny.pbtxt");
    Files.writeString(file, TextFormat.printer().printToString(c));
    // the child trains slowly (a pause per step) so that it holds the lock while we try
    Process child = ResumeAfterKillTest.start(file, "-Dtfpeft.test.step_delay_ms=60000");
    try {
      ResumeAfterKillTest.awaitOrFail(child, () -> Files.exists(run().resolve(MetricsLog.FILE)));
      TfpeftException e = refused(c, Trainer.Resume.AUTO);
      assertEquals(1, e.exitCode());
      assertTrue(e.getMessage().contains("(pid " + child.pid() + ", tfpeft train --config "
          + file), e.getMessage());
    } finally {
      child.destroyForcibly().waitFor();
    }
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    assertEquals(List.of(1), epochs(run()));
  }

  @Test
  void aTerminatedRunSaysInOneLineHowToResume() throws Exception {
    RunConfig c = TinyRuns.config(out).build();
    Path file = out.resolve("tiny.pbtxt");
    Files.writeString(file, TextFormat.printer().printToString(c));
    Process child = ResumeAfterKillTest.start(file, "-Dtfpeft.test.step_delay_ms=400");
    Path first = run().resolve("checkpoints/epoch-0001");
    try {
      ResumeAfterKillTest.awaitOrFail(child, () -> Files.isDirectory(first));
      child.destroy(); // SIGTERM, as a scheduler or kill sends it
      child.waitFor();
    } finally {
      child.destroyForcibly().waitFor();
    }
    String log = Files.readString(out.resolve("tiny.pbtxt.log"));
    assertTrue(log.contains("tfpeft train: interrupted; the last complete checkpoint is "
        + first + ": run the same command again to resume from it"), log);
  }

  @Test
  void afterANanStopTheRunContinuesFromTheLastGoodCheckpointWithASmallerRate() {
    RunConfig.Builder b = TinyRuns.config(out);
    // epoch 1 at 1e-6, then a rate no weight survives
    b.getTrainingBuilder().setBatchSize(8).setWarmupEpochs(1).setLearningRate(1e30f)
        .setWarmupStartLr(1e-6f);
    TfpeftException nan = refused(b.build(), Trainer.Resume.AUTO);
    assertTrue(nan.getMessage().contains("the last good checkpoint is " + run().resolve(
        "checkpoints/epoch-0001") + ". To continue from it with a smaller step: tfpeft train"
        + " --config tiny.pbtxt --resume --set training.learning_rate=1.0E29"),
        nan.getMessage());
    b.getTrainingBuilder().setLearningRate(1e-3f);
    assertEquals(2, refused(b.build(), Trainer.Resume.AUTO).exitCode(),
        "without --resume a changed config is still refused");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainerTest.train(b.build(), Trainer.Resume.REQUIRE, log);
    String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(text.contains("resuming with a changed step size: training.learning_rate 1.0E30"
        + " -> 0.001"), text);
    assertTrue(text.contains("resumed from " + run().resolve("checkpoints/epoch-0001")), text);
    assertEquals(List.of(1, 2), epochs(run()));
    assertTrue(Files.isRegularFile(run().resolve(RunDirectory.REPORT)));
  }

  @Test
  void aResumedPearRunReportsEveryImageAndTheCountsItStartedWith() throws Exception {
    RunConfig.Builder b = TinyRuns.vit(out, "tiny", tfpeft.config.proto
        .MethodConfig.newBuilder().setPear(tfpeft.config.proto.PearConfig.newBuilder()
            .setLora(tfpeft.config.proto.LoraConfig.newBuilder().setRank(2))
            .setWarmupEpochs(1)).build());
    b.getTrainingBuilder().setEpochs(2);
    RunConfig c = b.build();
    var whole = TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    // as if the process had died after epoch 1 (after Pear's prune step): resume from it
    tfpeft.util.AtomicFiles.deleteTree(run().resolve("checkpoints/epoch-0002"));
    Files.delete(run().resolve(RunDirectory.REPORT));
    var resumed = TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    assertEquals(2 * 56, whole.getAsJsonObject("training").get("images").getAsLong());
    assertEquals(2 * 56, resumed.getAsJsonObject("training").get("images").getAsLong());
    assertEquals(whole.get("parameters"), resumed.get("parameters"));
  }

  @Test
  void theLastLinkIsRepairedWhenTheRunStartsAgain() throws Exception {
    RunConfig c = TinyRuns.config(out).build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    Path last = run().resolve("checkpoints").resolve(CheckpointStore.LAST);
    // as a kill between the rename of epoch-0002 and the links' update leaves it
    Files.delete(last);
    Files.createSymbolicLink(last, Path.of("epoch-0001"));
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    assertEquals(Path.of("epoch-0002"), Files.readSymbolicLink(last));
  }

  @Test
  void aDamagedLastCheckpointNamesTheIntactOneAndHowToResume() throws Exception {
    RunConfig c = TinyRuns.config(out).build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    Path data = TensorBundleReader.shardFile(run().resolve("checkpoints/epoch-0002/variables"),
        0, 1);
    flipByte(data, Files.size(data) / 2);
    TfpeftException e = refused(c, Trainer.Resume.AUTO);
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("the last checkpoint " + run().resolve(
        "checkpoints/epoch-0002") + " is damaged ("), e.getMessage());
    assertTrue(e.getMessage().contains("fails its CRC32C check"), e.getMessage());
    assertTrue(e.getMessage().contains("the last intact one is " + run().resolve(
        "checkpoints/epoch-0001") + " (epoch 1). To resume from it, move the damaged one out"
        + " of the way (mv " + run().resolve("checkpoints/epoch-0002") + " "
        + run().resolve("damaged-epoch-0002") + ")"), e.getMessage());
    assertTrue(Files.isDirectory(run().resolve("checkpoints/epoch-0002")), "nothing deleted");
  }

  @Test
  void aMalformedStateOfTheLastCheckpointIsNamedNotSkipped() throws Exception {
    RunConfig c = TinyRuns.config(out).build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    Files.delete(run().resolve(RunDirectory.REPORT));
    Files.writeString(run().resolve("checkpoints/epoch-0002/state.json"), "{\"epoch\": 2,");
    TfpeftException e = refused(c, Trainer.Resume.AUTO);
    assertTrue(e.getMessage().contains("epoch-0002 is damaged (state.json is malformed"),
        e.getMessage());
    assertTrue(e.getMessage().contains("the last intact one is " + run().resolve(
        "checkpoints/epoch-0001")), e.getMessage());
  }

  @Test
  void aStateWithoutItsLogPositionsIsNamedNotACrash() throws Exception {
    RunConfig c = TinyRuns.config(out).build();
    TrainerTest.train(c, Trainer.Resume.AUTO, new ByteArrayOutputStream());
    Files.delete(run().resolve(RunDirectory.REPORT));
    Files.writeString(run().resolve("checkpoints/epoch-0002/state.json"), "{\"epoch\": 2}");
    TfpeftException e = refused(c, Trainer.Resume.AUTO);
    assertTrue(e.getMessage().contains("epoch-0002 is damaged (state.json is malformed (it"
        + " needs epoch, step and logs"), e.getMessage());
  }

  static List<Integer> epochs(Path run) {
    return new RunDirectory(run).checkpoints().list().stream()
        .map(CheckpointStore.Checkpoint::epoch).toList();
  }

  static void flipByte(Path file, long at) throws Exception {
    try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
      ch.write(b, at);
    }
  }
}
