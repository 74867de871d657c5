package tfpeft.suite.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.SlurmConfig;
import tfpeft.suite.JobOutcome;
import tfpeft.suite.JobState;
import tfpeft.suite.SuiteJob;

/**
 * The executor against a real Slurm (tools/slurm/start-local-cluster.sh starts a single-node one;
 * .ci/run does so before the tests), with shell commands for jobs. Where no cluster answers, every
 * test is skipped with the reason, printed as well.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlurmClusterTest {
  private static final SlurmCommands SLURM = SlurmCommands.system();
  private static final SlurmConfig CONFIG = SlurmConfig.newBuilder().setCpusPerTask(1)
      .setPollSeconds(1).build();
  private static String absent;

  @TempDir Path suite;

  @BeforeAll
  static void findCluster() throws Exception {
    if (!SLURM.installed("sbatch")) {
      absent = "sbatch is not on PATH (Slurm is not installed; tools/slurm/start-local-cluster.sh"
          + " --install starts a local cluster)";
    } else {
      SlurmCommands.Result ping = SLURM.run(List.of("scontrol", "ping"));
      SlurmCommands.Result nodes = SLURM.run(List.of("sinfo", "--noheader", "--responding",
          "--format=%T"));
      if (!ping.ok() || !ping.stdout().contains("is UP")) {
        absent = "no Slurm controller answers (scontrol ping: " + (ping.stdout() + ping.stderr())
            .strip().split("\n")[0] + "; tools/slurm/start-local-cluster.sh starts one)";
      } else if (!nodes.stdout().matches("(?s).*\\b(idle|mixed|allocated)\\b.*")) {
        absent = "no Slurm node takes jobs (sinfo --responding: '" + nodes.stdout().strip()
            + "'; tools/slurm/start-local-cluster.sh resumes the local one)";
      }
    }
    if (absent != null) {
      System.err.println("SlurmClusterTest skipped: " + absent);
    }
  }

  @BeforeEach
  void needsCluster() {
    assumeTrue(absent == null, () -> "skipped: " + absent);
  }

  SuiteJob job(String id, String shell) {
    return new SuiteJob(id, List.of("sh", "-c", shell), suite.resolve(id),
        suite.resolve("logs/" + id + ".log"), 1);
  }

  Map<String, JobOutcome> run(List<SuiteJob> jobs) throws Exception {
    return new SlurmExecutor(CONFIG).execute(suite, jobs, (j, s, d) -> {});
  }

  String log(String id) throws Exception {
    return Files.readString(suite.resolve("logs/" + id + ".log"));
  }

  @Test
  void jobsThatExitWithZeroSucceed() throws Exception {
    Map<String, JobOutcome> out = run(List.of(job("a", "echo hello a"), job("b", "echo hello b")));
    assertEquals(new JobOutcome(JobState.SUCCEEDED, 0, ""), out.get("a"));
    assertEquals(new JobOutcome(JobState.SUCCEEDED, 0, ""), out.get("b"));
    assertTrue(log("b").contains("hello b\n"), log("b"));
  }

  @Test
  void aFailingJobFailsWithItsExitCodeAndItsLogPath() throws Exception {
    JobOutcome out = run(List.of(job("bad", "echo oops; exit 3"))).get("bad");
    assertEquals(JobState.FAILED, out.state());
    assertEquals(3, out.exitCode());
    assertTrue(out.detail().contains("FAILED") && out.detail().contains(
        suite.resolve("logs/bad.log").toString()), out.detail());
    assertTrue(log("bad").contains("oops\n"));
  }

  @Test
  void aNewExecutorFollowsTheJobsOfADeadSubmitterWithoutSubmittingThemAgain() throws Exception {
    List<SuiteJob> jobs = List.of(job("slow", "sleep 3; echo finished"));
    CountDownLatch submitted = new CountDownLatch(1);
    FutureTask<Map<String, JobOutcome>> first = new FutureTask<>(
        () -> new SlurmExecutor(CONFIG).execute(suite, jobs, (j, s, d) -> submitted.countDown()));
    Thread submitter = new Thread(first);
    submitter.start();
    assertTrue(submitted.await(30, TimeUnit.SECONDS));
    submitter.interrupt();
    ExecutionException died = assertThrows(ExecutionException.class, first::get);
    assertTrue(died.getCause() instanceof InterruptedException, died.toString());

    assertEquals(JobState.SUCCEEDED, run(jobs).get("slow").state());
    assertEquals(1, SlurmLedger.load(suite.resolve("slurm/state.json")).submissions.size());
    assertEquals(1, log("slow").split("job slow: Slurm job", -1).length - 1, log("slow"));
  }

  @Test
  void aCancelledJobFailsNamingCancelledAndItsLog() throws Exception {
    List<SuiteJob> jobs = List.of(job("long", "sleep 50"));
    JobOutcome out = new SlurmExecutor(CONFIG).execute(suite, jobs, (j, s, d) -> {
      if (s == JobState.RUNNING) {
        SlurmLedger.Task t = SlurmLedger.load(suite.resolve("slurm/state.json")).jobs.get("long");
        try {
          SLURM.run(List.of("scancel", SlurmStates.task(t.arrayJobId, t.task)));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
    }).get("long");
    assertEquals(JobState.FAILED, out.state());
    assertEquals(-1, out.exitCode());
    assertTrue(out.detail().contains("CANCELLED") && out.detail().contains(
        suite.resolve("logs/long.log").toString()), out.detail());
  }
}
