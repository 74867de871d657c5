package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tfpeft report}: its arguments, its exit codes and what it prints. */
class ReportCommandTest {
  @TempDir Path dir;

  @Test
  void aRunDirectoryGetsItsPageAndTheMissingPiecesAsWarnings() throws Exception {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve("config.pbtxt"), "name: \"run\"\n");
    MainTest.Result r = MainTest.run("report", run.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("wrote " + dir.resolve("out").resolve("index.html") + " (0 plots)\n", r.out());
    assertTrue(r.err().contains("warning: no training curves yet"), r.err());
    assertTrue(Files.isRegularFile(dir.resolve("out").resolve("index.html")));
  }

  @Test
  void aPathThatIsNotARunDirectoryExitsTwoWithoutATrace() {
    MainTest.Result r = MainTest.run("report", dir.toString());
    assertEquals(2, r.code());
    assertEquals("tfpeft report: error: " + dir + ": not a run directory (it has no"
        + " config.pbtxt); pass the directory train writes, e.g. checkpoints/quickstart\n",
        r.err());
    assertFalse(Files.exists(dir.resolve("report")));
  }

  @Test
  void reportTakesExactlyOneRunDirectory() {
    MainTest.Result r = MainTest.run("report");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("report takes one run directory"), r.err());
  }
}
