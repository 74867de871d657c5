package tfpeft.suite;

import java.io.PrintStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Ends a suite's local job when the {@code suite run} process that started it is gone. A suite
 * stopped by Ctrl-C or SIGTERM stops its jobs itself ({@link LocalExecutor}); one killed with
 * SIGKILL cannot, and its jobs would go on training into run directories that the next
 * {@code suite run} then finds locked. {@link LocalExecutor} names its own pid in
 * {@value #ENV} for every job; the job's command line starts this watch, which looks every
 * {@link #PERIOD_MILLIS} ms whether its parent process is still that one (an orphan is adopted by
 * init or a subreaper, so a recycled pid cannot fool it) and otherwise exits as a SIGTERM would:
 * the shutdown hooks run, the checkpoints already written are complete, and the next
 * {@code suite run} resumes the run from the last one.
 */
public final class ParentWatch {
  /** The environment variable holding the pid of the suite process that started this job. */
  public static final String ENV = "TFPEFT_SUITE_PID";
  static final long PERIOD_MILLIS = 2000;
  /** The exit code of a job stopped this way: 128 + SIGTERM, as the signal would give. */
  static final int EXIT = 143;

  private ParentWatch() {}

  /**
   * Starts the watch (a daemon thread) when {@code env} names a suite pid; does nothing
   * otherwise.
   */
  public static void startIfAsked(Map<String, String> env, PrintStream err) {
    Long expected = expected(env, err);
    if (expected == null) {
      return;
    }
    Supplier<OptionalLong> parent = () -> ProcessHandle.current().parent()
        .map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    Thread t = new Thread(() -> watch(expected, parent, PERIOD_MILLIS, err, System::exit),
        "tfpeft-suite-parent-watch");
    t.setDaemon(true);
    t.start();
  }

  /** The pid in {@code env}, or null when there is none or it is no pid (said on err). */
  static Long expected(Map<String, String> env, PrintStream err) {
    String v = env.get(ENV);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      long pid = Long.parseLong(v.trim());
      if (pid > 0) {
        return pid;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    err.println("tfpeft: ignoring " + ENV + "=" + v + ": not a process id");
    return null;
  }

  /**
   * Polls {@code parent} every {@code periodMillis} until it is no longer {@code expected}, then
   * says so and calls {@code exit}. Returns when interrupted.
   */
  static void watch(long expected, Supplier<OptionalLong> parent, long periodMillis,
      PrintStream err, IntConsumer exit) {
    while (true) {
      OptionalLong now = parent.get();
      if (now.isEmpty() || now.getAsLong() != expected) {
        err.println("tfpeft: the suite process " + expected + " that started this run is gone;"
            + " stopping (the checkpoints written are complete; 'suite run' resumes the run)");
        err.flush();
        exit.accept(EXIT);
        return;
      }
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
