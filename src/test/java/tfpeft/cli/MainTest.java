package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Main().run(args, new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
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
        "pretrain", "graph", "bench", "data", "config"}) {
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
  void commandNotInThisBuildSaysSoAndExitsOne() {
    Result r = run("export", "some/run");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("not part of this build yet"), r.err());
  }
}
