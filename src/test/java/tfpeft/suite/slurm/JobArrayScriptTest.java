package tfpeft.suite.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.suite.SuiteJob;

/** The batch script run by bash as Slurm would run one array task (no Slurm needed). */
class JobArrayScriptTest {
  @TempDir Path dir;

  /** Runs the script as array task {@code task} of array job 9; returns its exit code. */
  int runTask(List<SuiteJob> jobs, int task) throws Exception {
    Path jobsFile = dir.resolve("array-1.jobs");
    Path script = dir.resolve("array-1.sh");
    Files.createDirectories(dir.resolve("exit"));
    Files.writeString(jobsFile, JobArrayScript.jobsFile(jobs));
    Files.writeString(script, JobArrayScript.script(jobsFile, dir.resolve("exit"), "sbatch x"));
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("task.out").toFile());
    pb.environment().put("SLURM_ARRAY_JOB_ID", "9");
    pb.environment().put("SLURM_ARRAY_TASK_ID", Integer.toString(task));
    Process p = pb.start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return p.exitValue();
  }

  SuiteJob job(String id, List<String> command) {
    return new SuiteJob(id, command, dir.resolve(id), dir.resolve("logs/" + id + ".log"), 3);
  }

  @Test
  void aTaskRunsItsOwnLinesCommandWithEveryArgumentIntact() throws Exception {
    String awkward = "a b|it's \"q\"|$HOME|`x`|back\\slash|new\nline|tab\t|ü";
    List<String> printArgs = List.of("sh", "-c", "printf '<%s>' \"$@\"", "sh");
    runTask(List.of(job("first", List.of("true")),
        job("second", concat(printArgs, List.of(awkward.split("\\|"))))), 1);
    String log = Files.readString(dir.resolve("logs/second.log"));
    assertTrue(log.contains("<a b><it's \"q\"><$HOME><`x`><back\\slash><new\nline><tab\t><ü>"),
        log);
    assertTrue(!Files.exists(dir.resolve("logs/first.log")));
  }

  @Test
  void theExitCodeIsRecordedUnderTheArrayTasksNameAndReturned() throws Exception {
    int code = runTask(List.of(job("a", List.of("sh", "-c", "exit 4"))), 0);
    assertEquals(4, code);
    assertEquals("4\n", Files.readString(dir.resolve("exit/9_0")));
  }

  @Test
  void theLogIsAppendedToAcrossAttempts() throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("logs/a.log"), "attempt one\n");
    runTask(List.of(job("a", List.of("echo", "attempt two"))), 0);
    String log = Files.readString(dir.resolve("logs/a.log"));
    assertTrue(log.startsWith("attempt one\n") && log.contains("attempt two\n"), log);
  }

  @Test
  void theTaskGetsItsJobsThreadCount() throws Exception {
    runTask(List.of(job("a", List.of("sh", "-c", "echo threads=$OMP_NUM_THREADS"))), 0);
    assertTrue(Files.readString(dir.resolve("logs/a.log")).contains("threads=3\n"));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
