package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A suite's local job stops when the suite process that started it dies unannounced. */
class ParentWatchTest {
  @TempDir Path dir;

  @Test
  void theWatchExitsOnceTheParentIsAnotherProcess() {
    Deque<OptionalLong> parents = new ArrayDeque<>(List.of(OptionalLong.of(5),
        OptionalLong.of(5), OptionalLong.of(1)));
    AtomicInteger code = new AtomicInteger(-1);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ParentWatch.watch(5, parents::poll, 1, new PrintStream(err, true), code::set);
    assertEquals(ParentWatch.EXIT, code.get());
    assertTrue(parents.isEmpty(), "polled until the parent changed");
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("the suite process 5 that started"
        + " this run is gone"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void noParentAtAllCountsAsGone() {
    AtomicInteger code = new AtomicInteger(-1);
    ParentWatch.watch(5, OptionalLong::empty, 1, new PrintStream(new ByteArrayOutputStream()),
        code::set);
    assertEquals(ParentWatch.EXIT, code.get());
  }

  @Test
  void onlyAPidStartsTheWatch() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(err, true);
    assertNull(ParentWatch.expected(Map.of(), p));
    assertNull(ParentWatch.expected(Map.of(ParentWatch.ENV, " "), p));
    assertEquals(42L, ParentWatch.expected(Map.of(ParentWatch.ENV, "42"), p));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertNull(ParentWatch.expected(Map.of(ParentWatch.ENV, "-3"), p));
    assertNull(ParentWatch.expected(Map.of(ParentWatch.ENV, "abc"), p));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("ignoring " + ParentWatch.ENV
        + "=abc: not a process id"));
  }

  @Test
  void theLocalExecutorNamesItselfToEveryJob() throws Exception {
    new LocalExecutor(1).execute(dir, List.of(new SuiteJob("j", List.of("sh", "-c",
        "echo $" + ParentWatch.ENV), dir.resolve("j"), dir.resolve("j.log"), 1)),
        (j, s, d) -> { });
    assertEquals(List.of(Long.toString(ProcessHandle.current().pid())),
        Files.readAllLines(dir.resolve("j.log")));
  }

  /** A job that would run for a minute: the watch, then sleep. */
  public static final class Job {
    public static void main(String[] args) throws InterruptedException {
      ParentWatch.startIfAsked(System.getenv(), System.err);
      Thread.sleep(60_000);
      System.exit(0);
    }
  }

  /**
   * For real: a shell stands for the suite, starts a JVM job naming the shell's pid, and is
   * killed with SIGKILL; the orphaned job exits within a few polls.
   */
  @Test
  void aJobWhoseSuiteWasKilledStopsByItself() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    // the class name ($3) holds a '$': passed as an argument, not in the script
    Process suite = new ProcessBuilder("sh", "-c", ParentWatch.ENV + "=$$ \"$0\" -cp \"$1\""
        + " \"$3\" 2>\"$2\" & echo $!; sleep 60", java, cp, dir.resolve("job.err").toString(),
        Job.class.getName())
        .redirectErrorStream(true).start();
    long jobPid;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(suite.getInputStream(),
        StandardCharsets.UTF_8))) {
      jobPid = Long.parseLong(r.readLine().trim());
      ProcessHandle job = ProcessHandle.of(jobPid).orElseThrow();
      // alive while its suite is
      Thread.sleep(3 * ParentWatch.PERIOD_MILLIS);
      assertTrue(job.isAlive(), "the job stopped while its suite ran: "
          + Files.readString(dir.resolve("job.err")));
      suite.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (job.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      boolean alive = job.isAlive();
      if (alive) {
        job.destroyForcibly();
      }
      assertTrue(!alive, "the job outlived its killed suite");
    }
    assertTrue(Files.readString(dir.resolve("job.err")).contains("that started this run is"
        + " gone"), Files.readString(dir.resolve("job.err")));
  }
}
