package tfpeft.suite;

import java.nio.file.Path;
import java.util.List;

/**
 * One run of a suite as an executor sees it: a command line that trains (or resumes) one run.
 *
 * @param id unique within the suite and safe as a file name (letters, digits, '-', '_', '.')
 * @param command the full argument vector, starting with the program (e.g. java -jar ... train
 *     --config FILE --resume); running it again after a kill resumes the run from its checkpoint
 * @param runDir the run directory the command writes
 * @param log where the job's stdout and stderr go (appended across attempts)
 * @param threads CPU threads the job may use (TensorFlow intra-op threads, Slurm cpus-per-task)
 */
public record SuiteJob(String id, List<String> command, Path runDir, Path log, int threads) {
  public SuiteJob {
    command = List.copyOf(command);
  }
}
