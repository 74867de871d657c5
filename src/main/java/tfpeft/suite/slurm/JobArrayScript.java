package tfpeft.suite.slurm;

import java.nio.file.Path;
import java.util.List;
import tfpeft.suite.SuiteJob;

/**
 * The two files of one submission: the jobs file, one line per array task (task i is line i+1:
 * the job id, its log, its threads and its command, each shell-quoted), and the batch script every
 * task runs. The script picks its line by SLURM_ARRAY_TASK_ID, appends the command's output to the
 * job's log, and records the exit code in exit/ARRAYID_TASK (written to a temporary name and
 * renamed), which is how the executor learns it without relying on the cluster's accounting.
 */
final class JobArrayScript {
  private JobArrayScript() {}

  static String jobsFile(List<SuiteJob> jobs) {
    StringBuilder s = new StringBuilder();
    for (SuiteJob job : jobs) {
      s.append(quote(job.id())).append(' ').append(quote(job.log().toAbsolutePath().toString()))
          .append(' ').append(job.threads());
      for (String arg : job.command()) {
        s.append(' ').append(quote(arg));
      }
      s.append('\n');
    }
    return s.toString();
  }

  /**
   * The batch script. No trap on SIGTERM: a task Slurm kills (scancel, time limit) leaves no exit
   * file, and its end is read from squeue or sacct, which name the reason.
   */
  static String script(Path jobsFile, Path exitDir, String submittedWith) {
    return """
        #!/bin/bash
        # One task of a tfpeft suite's job array: runs line SLURM_ARRAY_TASK_ID+1 of the jobs file.
        # Submitted with: %s
        set -u
        line="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" %s)"
        if [ -z "$line" ]; then
          echo "no job for array task $SLURM_ARRAY_TASK_ID in %s" >&2
          exit 3
        fi
        eval "set -- $line"
        id="$1"; log="$2"; threads="$3"; shift 3
        mkdir -p "$(dirname "$log")"
        export OMP_NUM_THREADS="$threads"
        echo "== $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) job $id: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), $threads threads" >>"$log"
        "$@" </dev/null >>"$log" 2>&1
        code=$?
        echo "== $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) job $id: exit code $code" >>"$log"
        exit_file=%s/"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
        printf '%%s\\n' "$code" >"$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"
        exit "$code"
        """.formatted(submittedWith.replace("\n", " "), quote(jobsFile.toString()),
            quote(jobsFile.toString()), quote(exitDir.toString()));
  }

  /**
   * A word bash reads back as exactly {@code s}: plain words as they are, anything else in
   * $'...' with backslash escapes, so that quotes, '$', spaces and even newlines survive one line.
   */
  static String quote(String s) {
    if (!s.isEmpty() && s.matches("[A-Za-z0-9_./=:,+@%^-]+")) {
      return s;
    }
    StringBuilder q = new StringBuilder("$'");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> q.append("\\\\");
        case '\'' -> q.append("\\'");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        case '\r' -> q.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            q.append(String.format("\\x%02x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('\'').toString();
  }
}
