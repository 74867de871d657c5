package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.checkpoint.CheckpointStore;

/** What a command reads from a run directory, read in one place. */
class RunDirectoryTest {
  @TempDir Path dir;

  static JsonObject state(String method, JsonObject methodState) {
    JsonObject s = new JsonObject();
    s.addProperty("epoch", 1);
    JsonObject m = new JsonObject();
    m.addProperty("name", method);
    if (methodState != null) {
      m.add("state", methodState);
    }
    s.add("method", m);
    return s;
  }

  CheckpointStore.Checkpoint checkpoint(JsonObject state) {
    return new RunDirectory(dir).checkpoints().write(1, state, "",
        w -> w.add("backbone/w", new long[] {1}, new float[] {1f}));
  }

  @Test
  void theClassesOfARunAreTheOnesItsReportNamesForTheTestSplit() throws IOException {
    RunDirectory run = new RunDirectory(dir);
    assertNull(run.reportedClasses(), "no report");
    Files.writeString(run.report(), "{\"test\": {\"top1\": 0.5, \"classes\": [\"cat\", \"dog\"]}}");
    assertEquals(List.of("cat", "dog"), run.reportedClasses());
    Files.writeString(run.report(), "{\"test\": {\"classes\": [\"cat\"");
    assertNull(run.reportedClasses(), "a truncated report");
  }

  @Test
  void aCheckpointOfAnotherMethodIsRefusedNamingBoth() {
    checkpoint(state("adaptformer", new JsonObject()));
    RunConfig lora = RunConfig.newBuilder().setMethod(MethodConfig.newBuilder()
        .setLora(LoraConfig.getDefaultInstance())).build();
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> new RunDirectory(dir).checkpointOf("last", lora));
    assertTrue(e.getMessage().contains("written by method.adaptformer, but the run's config"
        + " trains method.lora"), e.getMessage());
  }

  @Test
  void theMethodStateOfACheckpointIsACopyAndEmptyWhereNoneWasSaved() {
    JsonObject plan = JsonParser.parseString("{\"plan\": [1, 2]}").getAsJsonObject();
    CheckpointStore.Checkpoint c = checkpoint(state("pear", plan));
    JsonObject got = c.methodState();
    assertEquals(plan, got);
    got.addProperty("changed", true);
    assertEquals(plan, c.methodState());
    assertEquals("pear", c.methodName());
    assertEquals(new JsonObject(), new CheckpointStore.Checkpoint(dir, 1,
        state("lora", null)).methodState());
  }

  @Test
  void aDirectoryWithoutAConfigIsNotARun() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("photos"));
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> RunDirectory.existing(empty, "something else"));
    assertTrue(e.getMessage().contains(empty + " is not a run directory: it has no config.pbtxt")
        && e.getMessage().endsWith("or something else"), e.getMessage());
  }
}
