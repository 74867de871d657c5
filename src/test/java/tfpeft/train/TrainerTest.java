package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;

class TrainerTest {
  @TempDir Path out;

  static JsonObject train(RunConfig c, Trainer.Resume resume, ByteArrayOutputStream log) {
    return new Trainer(c, "tiny.pbtxt", new Trainer.Options(resume,
        new PrintStream(log, true, StandardCharsets.UTF_8), false),
        MethodRegistry.builtIn()).run();
  }

  @Test
  void aRunWritesItsDirectory() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject report = train(TinyRuns.config(out).build(), Trainer.Resume.AUTO, log);
    System.out.println(log.toString(StandardCharsets.UTF_8));
    System.out.println(report);
    Path run = out.resolve("tiny");
    assertTrue(Files.isRegularFile(run.resolve("config.pbtxt")));
    assertTrue(Files.isRegularFile(run.resolve("report.json")));
    assertTrue(Files.isRegularFile(run.resolve("metrics.jsonl")));
    assertEquals(2, new RunDirectory(run).checkpoints().list().size());
  }
}
