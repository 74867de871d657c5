package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live progress view: counts, ETA, one redrawn line on a terminal, lines otherwise. */
class SuiteProgressTest {
  long now;
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  SuiteProgress progress(boolean terminal, int parallel) {
    return new SuiteProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal,
        parallel, () -> now);
  }

  static SuiteJob job(String id) {
    return new SuiteJob(id, List.of("x"), Path.of(id), Path.of(id + ".log"), 1);
  }

  @Test
  void theEtaIsTheMeanJobTimeTimesTheRoundsLeft() {
    SuiteProgress p = progress(false, 2);
    for (String id : List.of("a", "b", "c", "d", "e")) {
      p.changed(job(id), JobState.PENDING, "");
    }
    p.changed(job("a"), JobState.RUNNING, "");
    p.changed(job("b"), JobState.RUNNING, "");
    now = 60_000_000_000L;
    p.changed(job("a"), JobState.SUCCEEDED, "");
    // 1 job took 60 s; b, c, d, e left, 2 at a time: 2 rounds
    assertEquals("suite: 1 done, 1 running, 0 failed, 3 pending of 5, ETA 2m00s", p.line());
  }

  @Test
  void underASchedulerTheEtaTakesTheJobsSeenRunningAsTheParallelism() {
    SuiteProgress p = progress(false, 0);
    for (String id : List.of("a", "b", "c", "d", "e", "f", "g")) {
      p.changed(job(id), JobState.PENDING, "");
    }
    for (String id : List.of("a", "b", "c", "d")) {
      p.changed(job(id), JobState.RUNNING, "");
    }
    now = 60_000_000_000L;
    p.changed(job("a"), JobState.SUCCEEDED, "");
    // 1 job took 60 s; 3 running and 3 pending, 3 at a time as the scheduler runs them: 2 rounds
    assertEquals("suite: 1 done, 3 running, 0 failed, 3 pending of 7, ETA 2m00s", p.line());
  }

  @Test
  void aFailureWhoseDetailNamesTheLogSaysItOnce() {
    SuiteProgress p = progress(false, 1);
    p.changed(job("a"), JobState.RUNNING, "");
    p.changed(job("a"), JobState.FAILED, "Slurm job 7_0 FAILED; log: a.log");
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains(
        "suite: a failed: Slurm job 7_0 FAILED; log: a.log\n"), bytes.toString());
  }

  @Test
  void offATerminalEachChangeIsALineAndAFailureSaysItsLog() {
    SuiteProgress p = progress(false, 1);
    p.stage("search");
    p.changed(job("a"), JobState.PENDING, "");
    p.changed(job("a"), JobState.RUNNING, "");
    p.changed(job("a"), JobState.FAILED, "exit code 1");
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals("suite (search): 0 done, 1 running, 0 failed, 0 pending of 1\n"
        + "suite: a failed: exit code 1 (log a.log)\n"
        + "suite (search): 0 done, 0 running, 1 failed, 0 pending of 1\n", out);
  }

  @Test
  void onATerminalTheLineIsRedrawnInPlace() {
    SuiteProgress p = progress(true, 1);
    p.changed(job("a"), JobState.PENDING, "");
    p.changed(job("a"), JobState.RUNNING, "");
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\rsuite: 0 done, 0 running, 0 failed, 1 pending of 1\rsuite: 0"
        + " done, 1 running"), out);
    assertTrue(!out.contains("\n"), out);
  }
}
