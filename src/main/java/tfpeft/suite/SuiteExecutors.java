package tfpeft.suite;

import tfpeft.TfpeftException;
import tfpeft.config.LoadedSuite;
import tfpeft.config.proto.Executor;
import tfpeft.suite.slurm.SlurmExecutor;

/** The executor a suite config names (the one place an executor is chosen). */
public final class SuiteExecutors {
  private SuiteExecutors() {}

  /**
   * The executor of {@code suite}'s {@code executor} field.
   *
   * @param jobs runs at once, for the local executor
   */
  public static SuiteExecutor create(LoadedSuite suite, int jobs) {
    Executor kind = suite.config().getExecutor();
    return switch (kind) {
      case LOCAL -> new LocalExecutor(jobs);
      case SLURM -> new SlurmExecutor(suite.config().getSlurm());
      default -> throw suite.error("executor", "the " + kind + " executor is not part of this"
          + " build; use executor: LOCAL");
    };
  }

  /**
   * TensorFlow threads per run: for the local executor {@code threads} (0: the cores shared among
   * the jobs), refused where jobs x threads exceeds the cores, which would make every run
   * slower than running fewer at once; for Slurm the cpus each task is given.
   */
  public static int threads(LoadedSuite suite, int jobs, int threads, int cores) {
    if (suite.config().getExecutor() == Executor.SLURM) {
      return suite.config().getSlurm().getCpusPerTask();
    }
    if (threads == 0) {
      if (jobs > cores) {
        throw TfpeftException.usage(jobs + " jobs at once need at least " + jobs + " cores;"
            + " this machine has " + cores + ": run at most " + cores + " (--jobs " + cores
            + ")");
      }
      return Math.max(1, cores / jobs);
    }
    if ((long) jobs * threads > cores) {
      throw TfpeftException.usage(jobs + " jobs x " + threads + " threads need " + jobs * threads
          + " cores; this machine has " + cores + ": lower --jobs or --threads so that jobs x"
          + " threads <= " + cores + " (e.g. --jobs " + Math.max(1, cores / threads)
          + " --threads " + threads + ")");
    }
    return threads;
  }
}
