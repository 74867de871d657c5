package tfpeft.suite;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The suite's one live progress view: done, running, failed and pending jobs and an estimate of
 * the time left (the mean time of the jobs finished so far, times the jobs left, over the jobs
 * run at once). On a terminal it redraws one line; otherwise it writes a line per change, and a
 * line for each failure with its detail (exit code, log) in both cases.
 */
public final class SuiteProgress implements SuiteExecutor.Listener {
  private final PrintStream out;
  private final boolean terminal;
  private final int parallel;
  private final LongSupplier clock;
  private final Map<String, JobState> states = new HashMap<>();
  private final Map<String, Long> started = new HashMap<>();
  private String stage = "";
  private long finishedNanos;
  private int finishedTimed;
  private int lastLength;

  /**
   * @param parallel how many jobs run at once (local processes); 0 where a scheduler decides
   *     (Slurm), and the estimate takes the jobs seen running as the parallelism
   */
  public SuiteProgress(PrintStream out, boolean terminal, int parallel, LongSupplier clock) {
    this.out = out;
    this.terminal = terminal;
    this.parallel = Math.max(0, parallel);
    this.clock = clock;
  }

  /** Starts a stage ("search", "seeds", "transfer"): its jobs are counted afresh. */
  public synchronized void stage(String name) {
    endLine();
    stage = name;
    states.clear();
  }

  @Override
  public synchronized void changed(SuiteJob job, JobState state, String detail) {
    JobState before = states.put(job.id(), state);
    if (state == JobState.RUNNING) {
      started.put(job.id(), clock.getAsLong());
    } else if ((state == JobState.SUCCEEDED || state == JobState.FAILED)
        && started.containsKey(job.id())) {
      finishedNanos += clock.getAsLong() - started.remove(job.id());
      finishedTimed++;
    }
    if (state == JobState.FAILED) {
      endLine();
      out.println("suite: " + job.id() + " failed: " + withLog(detail, job));
    }
    if (state == JobState.PENDING && before == null && !terminal) {
      return; // the initial listing of pending jobs says nothing new on a log
    }
    show();
  }

  /** The current line, as shown. */
  public synchronized String line() {
    int done = 0;
    int running = 0;
    int failed = 0;
    int pending = 0;
    for (JobState s : states.values()) {
      switch (s) {
        case SUCCEEDED -> done++;
        case RUNNING -> running++;
        case FAILED -> failed++;
        default -> pending++;
      }
    }
    String eta = "";
    if (finishedTimed > 0 && running + pending > 0) {
      double mean = finishedNanos / 1e9 / finishedTimed;
      int atOnce = parallel > 0 ? parallel : Math.max(1, running);
      long seconds = Math.round(mean * Math.ceil((running + pending) / (double) atOnce));
      eta = ", ETA " + duration(seconds);
    }
    return "suite" + (stage.isEmpty() ? "" : " (" + stage + ")") + ": " + done + " done, "
        + running + " running, " + failed + " failed, " + pending + " pending of "
        + states.size() + eta;
  }

  /** A failure's detail with the job's log path, unless the detail names it already. */
  static String withLog(String detail, SuiteJob job) {
    String log = job.log().toString();
    return detail != null && detail.contains(log) ? detail : detail + " (log " + log + ")";
  }

  static String duration(long seconds) {
    if (seconds >= 3600) {
      return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60)
        : seconds + "s";
  }

  private void show() {
    String line = line();
    if (terminal) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the redrawn line, so that what follows starts on its own. */
  public synchronized void endLine() {
    if (terminal && lastLength > 0) {
      out.println();
      lastLength = 0;
    }
  }
}
