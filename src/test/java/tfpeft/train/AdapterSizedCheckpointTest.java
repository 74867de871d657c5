package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.cli.Commands;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.checkpoint.TensorBundle;
import tfpeft.train.pretrain.PretrainedBackbone;

/**
 * A LoRA run on a pretrained base keeps adapter-sized checkpoints: what it trains, optimizer
 * slots and state, not the frozen backbone, which is read back from the base named by its
 * checksum; another base, or none, is refused saying what to do, and a checkpoint that holds
 * every variable (as written before) is used as it always was.
 */
class AdapterSizedCheckpointTest {
  @TempDir static Path dir;
  static Path baseA;
  static Path baseB;
  static RunConfig config;
  static Path run;

  static RunConfig lora(Path out, Path base) {
    RunConfig.Builder b = TinyRuns.vit(out, "lora", MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(2)).build(), 2);
    b.getModelBuilder().setWeights(WeightsConfig.newBuilder().setPath(base.toString()));
    return b.build();
  }

  @BeforeAll
  static void trainALoraRunOnABase() {
    ModelConfig model = TinyRuns.vit(dir, "x", MethodConfig.getDefaultInstance()).getModel();
    baseA = TinyRuns.base(dir.resolve("base-a"), model, 11);
    baseB = TinyRuns.base(dir.resolve("base-b"), model, 12);
    config = lora(dir.resolve("runs"), baseA);
    run = TinyRuns.train(config);
  }

  /** The checksum of a base directory's backbone, from its file (not from a session). */
  static BackboneChecksum checksumOfFile(Path base) {
    TensorFile f = SafetensorsReader.read(base.resolve(PretrainedBackbone.WEIGHTS));
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (NamedTensor t : f.tensors()) {
      values.put(t.name(), t.data());
      shapes.put(t.name(), t.shape());
    }
    return BackboneChecksum.of(values, shapes);
  }

  static CheckpointStore.Checkpoint last(Path runDir) {
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(runDir);
    return all.get(all.size() - 1);
  }

  @Test
  void itsCheckpointsHoldNoFrozenBackboneWeight() {
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(run);
    assertEquals(2, all.size());
    for (CheckpointStore.Checkpoint c : all) {
      Map<String, float[]> values = TinyRuns.values(c);
      assertEquals(List.of(), values.keySet().stream()
          .filter(n -> n.startsWith(BackboneChecksum.PREFIX)).toList(), c.dir().toString());
      assertTrue(values.containsKey("peft/lora/block0/attn/q/lora_b"), values.keySet()
          .toString());
      assertTrue(values.containsKey("optimizer/peft/lora/block0/attn/q/lora_b/m"),
          values.keySet().toString());
      assertTrue(c.adapterSized(), c.state().toString());
    }
  }

  @Test
  void itsCheckpointNamesTheBaseByTheChecksumOfItsFile() {
    CheckpointStore.Checkpoint c = last(run);
    BackboneChecksum file = checksumOfFile(baseA);
    assertEquals(file.sha256(), c.base().sha256());
    assertEquals(file.parameters(), c.base().parameters());
    assertEquals(baseA.toAbsolutePath().normalize().toString(), c.base().weights());
  }

  @Test
  void resumedFromItsFirstAdapterSizedCheckpointItEndsBitIdentical() throws IOException {
    Path copy = dir.resolve("resumed").resolve("lora");
    TinyRuns.copyTree(run, copy);
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(copy);
    TinyRuns.deleteTree(all.get(1).dir());
    Files.delete(copy.resolve(RunDirectory.REPORT));
    RunConfig again = config.toBuilder().setOutputDir(copy.getParent().toString()).build();
    TinyRuns.train(again);
    assertEquals(RunReport.read(run.resolve(RunDirectory.REPORT)).getAsJsonObject("test"),
        RunReport.read(copy.resolve(RunDirectory.REPORT)).getAsJsonObject("test"));
    ResumeAfterKillTest.assertSameVariables(last(run), last(copy));
  }

  @Test
  void anotherBaseIsRefusedNamingBothChecksumsBothPathsAndWhatToDo() {
    Commands.Result r = Commands.run("eval", run.toString(), "--set",
        "model.weights.path=" + baseB);
    assertEquals(2, r.code(), r.out() + r.err());
    String a = baseA.toAbsolutePath().normalize().toString();
    assertTrue(r.err().contains(checksumOfFile(baseA).sha256()), r.err());
    assertTrue(r.err().contains(checksumOfFile(baseB).sha256()), r.err());
    assertTrue(r.err().contains(a), r.err());
    assertTrue(r.err().contains(baseB.toString()), r.err());
    assertTrue(r.err().contains("--set model.weights.path=" + a), r.err());
  }

  @Test
  void aMissingBaseSaysTheCheckpointIsAdapterSizedAndNeedsIt() {
    Path gone = dir.resolve("no-base-here");
    Commands.Result r = Commands.run("eval", run.toString(), "--set",
        "model.weights.path=" + gone);
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("adapter-sized checkpoint"), r.err());
    assertTrue(r.err().contains(gone + " does not exist"), r.err());
    assertTrue(r.err().contains(checksumOfFile(baseA).sha256()), r.err());
  }

  /**
   * A copy of the run stopped after its first checkpoint, and the config file that resumes it
   * on {@code base}.
   */
  static Path stoppedCopy(String name, Path base) throws IOException {
    Path copy = dir.resolve(name).resolve("lora");
    TinyRuns.copyTree(run, copy);
    TinyRuns.deleteTree(last(copy).dir());
    Files.delete(copy.resolve(RunDirectory.REPORT));
    Path file = dir.resolve(name + ".pbtxt");
    RunConfig.Builder c = config.toBuilder().setOutputDir(copy.getParent().toString());
    c.getModelBuilder().getWeightsBuilder().setPath(base.toString());
    Files.writeString(file, TextFormat.printer().printToString(c.build()));
    return file;
  }

  @Test
  void resumingOnAnotherBaseIsRefusedAndTheRunKeepsItsOwn() throws IOException {
    Path file = stoppedCopy("resume-b", baseB);
    Commands.Result r = Commands.run("train", "--config", file.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(checksumOfFile(baseA).sha256()), r.err());
    assertTrue(r.err().contains(checksumOfFile(baseB).sha256()), r.err());
    Path run = dir.resolve("resume-b").resolve("lora");
    assertEquals(baseA.toString(), new RunDirectory(run).readConfig().getModel().getWeights()
        .getPath());
  }

  @Test
  void resumingWithoutItsBaseSaysTheCheckpointNeedsIt() throws IOException {
    Path gone = dir.resolve("no-base-here");
    Path file = stoppedCopy("resume-none", gone);
    Commands.Result r = Commands.run("train", "--config", file.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("adapter-sized checkpoint"), r.err());
    assertTrue(r.err().contains(gone + " does not exist"), r.err());
  }

  @Test
  void resumingOnACopyOfItsBaseElsewhereGoesOnAndRecordsTheNewPath() throws IOException {
    Path moved = dir.resolve("moved-a");
    TinyRuns.copyTree(baseA, moved);
    Path file = stoppedCopy("resume-moved", moved);
    Commands.Result r = Commands.run("train", "--config", file.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path run = dir.resolve("resume-moved").resolve("lora");
    assertEquals(moved.toString(), new RunDirectory(run).readConfig().getModel().getWeights()
        .getPath());
    ResumeAfterKillTest.assertSameVariables(last(AdapterSizedCheckpointTest.run), last(run));
  }

  @Test
  void exportServesTheAdapterSizedCheckpointOnItsBase() {
    Commands.Result r = Commands.run("export", run.toString(), "--out",
        dir.resolve("served").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Commands.Result other = Commands.run("export", run.toString(), "--out",
        dir.resolve("served-b").toString(), "--set", "model.weights.path=" + baseB);
    assertEquals(2, other.code(), other.out() + other.err());
    assertTrue(other.err().contains(checksumOfFile(baseB).sha256()), other.err());
    assertFalse(Files.exists(dir.resolve("served-b")));
  }

  @Test
  void inspectSaysTheCheckpointIsAdapterSizedAndNamesItsBase() {
    Path c = run.resolve(RunDirectory.CHECKPOINTS).resolve(CheckpointStore.LAST);
    Inventory inv = Inventory.of(c);
    assertTrue(inv.facts().get("stored").startsWith("adapter-sized"), inv.facts().toString());
    assertTrue(inv.facts().get("base").contains(checksumOfFile(baseA).sha256()),
        inv.facts().toString());
    assertTrue(inv.facts().get("base").contains(baseA.toAbsolutePath().normalize().toString()),
        inv.facts().toString());
    // the frozen backbone counts as the base's, as in a checkpoint that holds it
    JsonObject p = MethodSummary.of(inv).json().getAsJsonObject("parameters");
    assertEquals(checksumOfFile(baseA).parameters(), p.get("frozen").getAsLong());
  }

  /**
   * A copy of the run whose last checkpoint (after dropping the run's last one, with
   * {@code dropLast}) holds every variable, the backbone included, and says nothing of a base:
   * a checkpoint as written before they were adapter-sized.
   */
  static Path runWithAFullCheckpoint(String name, boolean dropLast) throws IOException {
    Path copy = dir.resolve(name).resolve("lora");
    TinyRuns.copyTree(run, copy);
    if (dropLast) {
      TinyRuns.deleteTree(last(copy).dir());
      Files.delete(copy.resolve(RunDirectory.REPORT));
    }
    CheckpointStore.Checkpoint c = last(copy);
    Map<String, float[]> values = TinyRuns.values(c);
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (NamedTensor t : tfpeft.model.weights.TensorBundleReader.read(c.variables(), n -> true)
        .tensors()) {
      shapes.put(t.name(), t.shape());
    }
    for (NamedTensor t : SafetensorsReader.read(baseA.resolve(PretrainedBackbone.WEIGHTS))
        .tensors()) {
      values.put(t.name(), t.data());
      shapes.put(t.name(), t.shape());
    }
    try (var s = Files.list(c.dir())) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(
          CheckpointStore.VARIABLES)).toList()) {
        Files.delete(p);
      }
    }
    try (TensorBundle.Writer w = new TensorBundle.Writer(c.variables())) {
      for (String n : new java.util.TreeSet<>(values.keySet())) {
        w.add(n, shapes.get(n), values.get(n));
      }
      w.finish();
    }
    JsonObject state = c.state().deepCopy();
    state.remove(CheckpointStore.ADAPTER_SIZED);
    state.remove(CheckpointStore.BASE);
    Files.writeString(c.dir().resolve(CheckpointStore.STATE), state.toString());
    return copy;
  }

  @Test
  void aCheckpointHoldingEveryVariableEvaluatesWithItsOwnBackboneAsBefore() throws IOException {
    Path old = runWithAFullCheckpoint("old-eval", false);
    // another base is no matter: the checkpoint's backbone replaces it, as it always did
    Commands.Result r = Commands.run("eval", old.toString(), "--set",
        "model.weights.path=" + baseB);
    assertEquals(0, r.code(), r.out() + r.err());
    Path written;
    try (var s = Files.list(old)) {
      written = s.filter(p -> p.getFileName().toString().matches("eval_.*_test\\.json"))
          .findFirst().orElseThrow();
    }
    assertEquals(RunReport.read(run.resolve(RunDirectory.REPORT)).getAsJsonObject("test"),
        JsonParser.parseString(Files.readString(written)).getAsJsonObject()
            .getAsJsonObject("test"));
  }

  @Test
  void aRunResumedFromACheckpointHoldingEveryVariableGoesOnHoldingEvery() throws IOException {
    Path old = runWithAFullCheckpoint("old-resume", true);
    TinyRuns.train(config.toBuilder().setOutputDir(old.getParent().toString()).build());
    CheckpointStore.Checkpoint c = last(old);
    assertEquals(2, c.epoch());
    assertFalse(c.adapterSized());
    assertTrue(TinyRuns.values(c).keySet().stream()
        .anyMatch(n -> n.startsWith(BackboneChecksum.PREFIX)));
  }
}
