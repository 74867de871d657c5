package tfpeft.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs jobs as processes on this machine, at most {@code parallel} at a time, each job's output
 * appended to its log. Interrupted, it stops every process it started (SIGTERM, then SIGKILL
 * after a grace period): a tfpeft train stopped so keeps its complete checkpoints and resumes.
 * It keeps no state in the suite directory: a local process does not outlive the suite run.
 */
public final class LocalExecutor implements SuiteExecutor {
  /** How long a stopped job may take to end before it is killed. */
  static final long GRACE_SECONDS = 10;

  private final int parallel;

  public LocalExecutor(int parallel) {
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel jobs must be >= 1: " + parallel);
    }
    this.parallel = parallel;
  }

  @Override
  public Map<String, JobOutcome> execute(Path suiteDir, List<SuiteJob> jobs, Listener listener)
      throws IOException, InterruptedException {
    Map<String, JobOutcome> outcomes = new ConcurrentHashMap<>();
    Map<String, Process> live = new ConcurrentHashMap<>();
    for (SuiteJob job : jobs) {
      listener.changed(job, JobState.PENDING, "");
    }
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "suite-job");
      t.setDaemon(true);
      return t;
    });
    Map<SuiteJob, Future<?>> futures = new LinkedHashMap<>();
    for (SuiteJob job : jobs) {
      futures.put(job, pool.submit(() -> {
        JobOutcome outcome = runOne(job, live, listener);
        outcomes.put(job.id(), outcome);
        listener.changed(job, outcome.state(), outcome.detail());
        return null;
      }));
    }
    pool.shutdown();
    try {
      for (Future<?> f : futures.values()) {
        f.get();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      stopAll(live);
      throw e;
    } catch (ExecutionException e) {
      pool.shutdownNow();
      stopAll(live);
      throw new IOException("a job runner failed: " + e.getCause(), e.getCause());
    }
    return outcomes;
  }

  private static JobOutcome runOne(SuiteJob job, Map<String, Process> live, Listener listener) {
    if (Thread.currentThread().isInterrupted()) {
      return new JobOutcome(JobState.FAILED, -1, "not started: the suite was interrupted");
    }
    Process p;
    try {
      Files.createDirectories(job.log().toAbsolutePath().getParent());
      ProcessBuilder pb = new ProcessBuilder(job.command()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(job.log().toFile()));
      pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "3");
      // the job stops itself if this process dies without stopping it (SIGKILL)
      pb.environment().put(ParentWatch.ENV, Long.toString(ProcessHandle.current().pid()));
      p = pb.start();
    } catch (IOException e) {
      return new JobOutcome(JobState.FAILED, -1, "could not start " + job.command().get(0)
          + ": " + e.getMessage());
    }
    live.put(job.id(), p);
    listener.changed(job, JobState.RUNNING, "pid " + p.pid());
    try {
      int code = p.waitFor();
      return code == 0 ? new JobOutcome(JobState.SUCCEEDED, 0, "")
          : new JobOutcome(JobState.FAILED, code, "exit code " + code);
    } catch (InterruptedException e) {
      stop(p);
      Thread.currentThread().interrupt();
      return new JobOutcome(JobState.FAILED, -1, "stopped: the suite was interrupted");
    } finally {
      live.remove(job.id());
    }
  }

  private static void stopAll(Map<String, Process> live) {
    live.values().forEach(Process::destroy);
    for (Process p : live.values()) {
      stop(p);
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
