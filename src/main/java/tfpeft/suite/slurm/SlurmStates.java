package tfpeft.suite.slurm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tfpeft.suite.JobState;

/**
 * What squeue and sacct print, read into one row per array task, and Slurm's job states mapped to
 * {@link JobState}. Array tasks are keyed "ARRAYID_TASK" (Slurm's own spelling, e.g. "12_3").
 */
final class SlurmStates {
  /** squeue's columns: array job id, array task id(s), state, reason. */
  static final String SQUEUE_FORMAT = "%F|%K|%T|%r";
  /** sacct's columns. */
  static final String SACCT_FORMAT = "JobID,State,ExitCode";

  /** One array task as the scheduler reports it. */
  record Row(String state, String reason, int exitCode) {}

  /** Still in the queue: waiting for resources, held or being requeued. */
  private static final Set<String> WAITING = Set.of("PENDING", "REQUEUED", "REQUEUE_FED",
      "REQUEUE_HOLD", "RESV_DEL_HOLD", "CONFIGURING", "RESIZING");
  /** Started, its processes exist (or are being cleaned up, or are paused). */
  private static final Set<String> STARTED = Set.of("RUNNING", "COMPLETING", "STAGE_OUT",
      "SIGNALING", "SUSPENDED", "STOPPED");

  private SlurmStates() {}

  static String task(String arrayJobId, int task) {
    return arrayJobId + "_" + task;
  }

  /**
   * Reads {@code squeue --noheader --array --format=}{@link #SQUEUE_FORMAT}. A row whose task
   * column is a range ("[2-4%2]", still pending and not yet split) stands for each task in it.
   */
  static Map<String, Row> parseSqueue(String out) {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.strip().split("\\|", -1);
      if (f.length < 3 || f[0].isEmpty()) {
        continue;
      }
      Row row = new Row(f[2].strip(), f.length > 3 ? f[3].strip() : "", -1);
      for (int t : taskRange(f[1])) {
        rows.put(task(f[0].strip(), t), row);
      }
    }
    return rows;
  }

  /**
   * Reads {@code sacct --noheader --parsable2 --allocations --format=}{@link #SACCT_FORMAT}:
   * "12_3|CANCELLED by 1000|0:15". The state keeps its first word; the exit code is the part
   * before ':' (the part after is the signal).
   */
  static Map<String, Row> parseSacct(String out) {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.strip().split("\\|", -1);
      int underscore = f[0].indexOf('_');
      if (f.length < 3 || underscore <= 0) {
        continue; // not an array task (a step, a header, an empty line)
      }
      String state = f[1].strip().split("\\s+")[0];
      Row row = new Row(state, "", exitCode(f[2]));
      for (int t : taskRange(f[0].substring(underscore + 1))) {
        rows.put(task(f[0].substring(0, underscore), t), row);
      }
    }
    return rows;
  }

  /** "2:0" gives 2; anything unreadable gives -1. */
  static int exitCode(String s) {
    String code = s.strip().split(":")[0];
    try {
      return Integer.parseInt(code);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The tasks of an array index expression: "3", "[0-4]", "0-4%2", "[1,3-5]"; none if unread. */
  static List<Integer> taskRange(String s) {
    String body = s.strip().replace("[", "").replace("]", "");
    int throttle = body.indexOf('%');
    if (throttle >= 0) {
      body = body.substring(0, throttle);
    }
    List<Integer> tasks = new ArrayList<>();
    try {
      for (String part : body.split(",")) {
        int dash = part.indexOf('-');
        if (dash < 0) {
          tasks.add(Integer.parseInt(part));
        } else {
          String[] step = part.substring(dash + 1).split(":");
          int to = Integer.parseInt(step[0]);
          int by = step.length > 1 ? Integer.parseInt(step[1]) : 1;
          for (int t = Integer.parseInt(part.substring(0, dash)); t <= to; t += Math.max(1, by)) {
            tasks.add(t);
          }
        }
      }
    } catch (NumberFormatException e) {
      return List.of(); // "N/A": not an array job
    }
    return tasks;
  }

  /**
   * Slurm's state as a {@link JobState}: COMPLETED succeeds; every other ending (FAILED,
   * CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE, ...) fails. A
   * state this list does not know is taken as still running: the executor keeps following it
   * rather than declaring an outcome the scheduler has not.
   */
  static JobState jobState(String slurmState) {
    if (WAITING.contains(slurmState)) {
      return JobState.PENDING;
    }
    if (STARTED.contains(slurmState)) {
      return JobState.RUNNING;
    }
    if (slurmState.equals("COMPLETED")) {
      return JobState.SUCCEEDED;
    }
    return isFinal(slurmState) ? JobState.FAILED : JobState.RUNNING;
  }

  /** Whether the job has ended in this state. */
  static boolean isFinal(String slurmState) {
    return switch (slurmState) {
      case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
          "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT" -> true;
      default -> false;
    };
  }

  /** Why a job that ended in {@code slurmState} failed, in a user's words. */
  static String why(String slurmState, int exitCode) {
    return switch (slurmState) {
      case "FAILED" -> exitCode >= 0 ? "exited with code " + exitCode : "failed";
      case "CANCELLED" -> "was cancelled (scancel, or an administrator)";
      case "TIMEOUT" -> "ran past its time limit (the suite's slurm.time)";
      case "OUT_OF_MEMORY" -> "ran out of memory (raise the suite's slurm.mem_mb)";
      case "NODE_FAIL" -> "lost its node (a node failure)";
      case "PREEMPTED" -> "was preempted by another job";
      case "BOOT_FAIL" -> "could not start: its node failed to boot";
      case "DEADLINE" -> "missed its deadline";
      default -> "ended";
    };
  }
}
