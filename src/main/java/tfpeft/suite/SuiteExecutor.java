package tfpeft.suite;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Executes a suite's jobs: local processes or a Slurm job array. The runner owns the policy
 * (which runs are done, retrying a failed run once, the progress view); an executor owns only
 * starting the jobs and following them.
 *
 * <p>An executor keeps whatever it needs to pick up again in {@code suiteDir} (written atomically):
 * called again after the calling process died, it follows jobs an earlier call started and still
 * running instead of starting them twice.
 */
public interface SuiteExecutor {
  /** Hears every state change of every job, from the executor's thread. */
  interface Listener {
    void changed(SuiteJob job, JobState state, String detail);
  }

  /**
   * Runs the jobs until each has succeeded or failed.
   *
   * @return every job's outcome, keyed by {@link SuiteJob#id()}
   * @throws InterruptedException when interrupted; jobs started locally are stopped, jobs in a
   *     scheduler stay queued and a later call follows them
   */
  Map<String, JobOutcome> execute(Path suiteDir, List<SuiteJob> jobs, Listener listener)
      throws IOException, InterruptedException;
}
