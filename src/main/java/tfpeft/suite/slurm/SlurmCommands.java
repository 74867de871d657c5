package tfpeft.suite.slurm;

import java.io.IOException;
import java.util.List;

/**
 * The Slurm client commands (sbatch, squeue, sacct, scancel) as the executor calls them: one
 * argument vector in, exit code and output back. Unit tests answer with canned scheduler output;
 * {@link #system()} runs the real programs.
 */
public interface SlurmCommands {
  /** What a command printed and how it exited. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Whether {@code program} can be run (on PATH, executable). */
  boolean installed(String program);

  /** Runs {@code argv} (program first) to completion. */
  Result run(List<String> argv) throws IOException, InterruptedException;

  /** The real commands, found on PATH. */
  static SlurmCommands system() {
    return new ProcessSlurmCommands();
  }
}
