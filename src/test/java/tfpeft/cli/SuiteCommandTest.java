package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.TinyRuns;

/** tfpeft suite run / report from the command line: bad input, and one tiny suite end to end. */
class SuiteCommandTest {
  @TempDir Path dir;

  Path base() throws Exception {
    RunConfig c = TinyRuns.config(dir.resolve("unused")).build();
    Path f = dir.resolve("base.pbtxt");
    Files.writeString(f, TextFormat.printer().printToString(c));
    return f;
  }

  Path suite(String body) throws Exception {
    Path f = dir.resolve("suite.pbtxt");
    Files.writeString(f, "name: \"tiny\"\noutput_dir: \"" + dir.resolve("suites") + "\"\n"
        + body.replace("BASE", base().toString()));
    return f;
  }

  boolean nothingWritten() {
    return !Files.exists(dir.resolve("suites"));
  }

  @Test
  void aSuiteFileThatIsNotThereIsAUsageError() {
    MainTest.Result r = MainTest.run("suite", "run", dir.resolve("no.pbtxt").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no.pbtxt: config file not found"), r.err());
  }

  @Test
  void anUnknownOverrideFieldStopsTheSuiteBeforeAnythingIsWritten() throws Exception {
    Path s = suite("""
        task { name: "shape" }
        method { name: "full" config: "BASE" set: "training.epoch=1" }
        """);
    MainTest.Result r = MainTest.run("suite", "run", s.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(s + ":4:"), r.err());
    assertTrue(r.err().contains(": method[0].set[0]: run shape-full-s1: --set training.epoch=1:"
        + " training.epoch: unknown field 'epoch'"), r.err());
    assertTrue(nothingWritten());
  }

  @Test
  void twoRunsWithOneNameStopTheSuiteBeforeAnythingIsWritten() throws Exception {
    Path s = suite("""
        task { name: "shape" }
        method { name: "full" config: "BASE" }
        method { name: "full" config: "BASE" set: "seed=3" }
        """);
    MainTest.Result r = MainTest.run("suite", "run", s.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(s + ":5:10: method[1].name: two methods are named 'full'"),
        r.err());
    assertTrue(nothingWritten());
  }

  @Test
  void moreJobsTimesThreadsThanCoresIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path s = suite("""
        task { name: "shape" }
        method { name: "full" config: "BASE" }
        """);
    int cores = Runtime.getRuntime().availableProcessors();
    MainTest.Result r = MainTest.run("suite", "run", s.toString(), "--jobs",
        String.valueOf(cores), "--threads", "2");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("threads need " + 2 * cores + " cores"), r.err());
    assertTrue(nothingWritten());
  }

  @Test
  void aDryRunListsTheRunsAndWritesNothing() throws Exception {
    Path s = suite("""
        task { name: "shape" }
        method { name: "full" config: "BASE" }
        seed: [1, 2]
        """);
    MainTest.Result r = MainTest.run("suite", "run", s.toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("shape-full-s1  "), r.out());
    assertTrue(r.out().contains("2 runs to train in 1 settings (0 with a search): 2 in the first"
        + " stage (2 configs"), r.out());
    assertTrue(nothingWritten());
  }

  @Test
  void aSlurmSuiteIsListedByADryRunWhereSbatchIsMissing() throws Exception {
    Path s = suite("""
        task { name: "shape" }
        method { name: "full" config: "BASE" }
        executor: SLURM
        """);
    // another JVM whose PATH holds no Slurm command: a laptop checking a cluster's suite
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "suite", "run",
        s.toString(), "--dry-run").redirectErrorStream(true);
    pb.environment().put("PATH", dir.resolve("no-slurm").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("shape-full-s1  ") && out.contains("as Slurm job arrays"), out);
    assertTrue(nothingWritten());
  }

  @Test
  void aReportOfADirectoryThatIsNoSuiteIsAUsageError() {
    MainTest.Result r = MainTest.run("suite", "report", dir.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is not a suite directory"), r.err());
  }

  @Test
  void theReferenceDescribesTheSuiteConfig() {
    MainTest.Result r = MainTest.run("suite", "reference");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("#### SuiteConfig"), r.out());
    assertTrue(r.out().contains("| `threads_per_job` | int32 | 0 | >= 0 |"), r.out());
  }

  /** Two tiny runs as processes of tfpeft, the report, and a second call that skips them. */
  @Test
  void aTwoRunSuiteTrainsItsRunsWritesTheReportAndSkipsThemWhenRunAgain() throws Exception {
    Path s = suite("""
        task { name: "shape" group: "appearance" }
        method { name: "full" config: "BASE" set: "training.epochs=1" set: "eval.every_epochs=0" }
        seed: [1, 2]
        """);
    MainTest.Result r = MainTest.run("suite", "run", s.toString(), "--jobs", "1", "--threads",
        "1");
    assertEquals(0, r.code(), r.out() + r.err());
    Path suiteDir = dir.resolve("suites/tiny");
    assertTrue(Files.isRegularFile(suiteDir.resolve("runs/shape-full-s1/report.json")));
    assertTrue(Files.isRegularFile(suiteDir.resolve("runs/shape-full-s2/report.json")));
    assertTrue(Files.isRegularFile(suiteDir.resolve("suite.json")));
    String md = Files.readString(suiteDir.resolve("report/report.md"));
    assertTrue(md.matches("(?s).*\\| full \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d \\|.*"), md);
    assertFalse(md.contains("| missing"), md);
    assertTrue(r.out().contains("2 jobs run, 0 found finished, 0 failed"), r.out());

    MainTest.Result again = MainTest.run("suite", "run", s.toString(), "--jobs", "1",
        "--threads", "1");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("0 jobs run, 2 found finished, 0 failed"), again.out());
  }
}
