package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local executor with tiny real processes (sh, sleep), not training. */
class LocalExecutorTest {
  @TempDir Path dir;

  SuiteJob job(String id, String... command) {
    return new SuiteJob(id, List.of(command), dir.resolve(id), dir.resolve("logs/" + id + ".log"),
        1);
  }

  static final SuiteExecutor.Listener NONE = (j, s, d) -> { };

  @Test
  void exitCodeZeroSucceedsAndAnotherFails() throws Exception {
    Map<String, JobOutcome> out = new LocalExecutor(2).execute(dir, List.of(
        job("ok", "true"), job("bad", "sh", "-c", "exit 7")), NONE);
    assertEquals(JobState.SUCCEEDED, out.get("ok").state());
    assertEquals(JobState.FAILED, out.get("bad").state());
    assertEquals(7, out.get("bad").exitCode());
    assertEquals("exit code 7", out.get("bad").detail());
  }

  @Test
  void aJobsOutputIsAppendedToItsLogAcrossAttempts() throws Exception {
    LocalExecutor e = new LocalExecutor(1);
    e.execute(dir, List.of(job("j", "sh", "-c", "echo one; echo two >&2")), NONE);
    e.execute(dir, List.of(job("j", "sh", "-c", "echo three")), NONE);
    assertEquals(List.of("one", "two", "three"), Files.readAllLines(dir.resolve("logs/j.log")));
  }

  @Test
  void aProgramThatIsNotThereFailsSayingSo() throws Exception {
    JobOutcome o = new LocalExecutor(1).execute(dir, List.of(job("x", "/no/such/program")),
        NONE).get("x");
    assertEquals(JobState.FAILED, o.state());
    assertTrue(o.detail().startsWith("could not start /no/such/program"), o.detail());
  }

  /** The most jobs seen running at once. */
  static int mostAtOnce(int parallel, Path dir) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<SuiteJob> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(new SuiteJob("s" + i, List.of("sleep", "0.4"), dir, dir.resolve("s" + i + ".log"),
          1));
    }
    new LocalExecutor(parallel).execute(dir, jobs, (j, s, d) -> {
      if (s == JobState.RUNNING) {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
      } else if (s != JobState.PENDING) {
        running.decrementAndGet();
      }
    });
    return most.get();
  }

  @Test
  void atMostTheGivenNumberOfJobsRunAtOnce() throws Exception {
    assertEquals(1, mostAtOnce(1, dir));
    assertEquals(3, mostAtOnce(3, dir));
  }

  @Test
  void anInterruptStopsTheRunningProcesses() throws Exception {
    AtomicLong pid = new AtomicLong();
    CountDownLatch started = new CountDownLatch(1);
    Thread caller = Thread.currentThread();
    Thread interrupter = new Thread(() -> {
      try {
        started.await(20, TimeUnit.SECONDS);
        caller.interrupt();
      } catch (InterruptedException e) {
        // the test ends
      }
    });
    interrupter.start();
    long t0 = System.nanoTime();
    assertThrows(InterruptedException.class, () -> new LocalExecutor(1).execute(dir,
        List.of(job("long", "sleep", "30")), (j, s, d) -> {
          if (s == JobState.RUNNING) {
            pid.set(Long.parseLong(d.replace("pid ", "")));
            started.countDown();
          }
        }));
    assertTrue((System.nanoTime() - t0) / 1e9 < 15, "stopped well before the sleep's end");
    assertFalse(ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false),
        "the process is gone");
  }
}
