package tfpeft.suite.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.SlurmConfig;
import tfpeft.suite.JobOutcome;
import tfpeft.suite.JobState;
import tfpeft.suite.SuiteJob;

/** The executor against canned sbatch, squeue and sacct output: no Slurm needed. */
class SlurmExecutorTest {
  @TempDir Path suite;
  final FakeSlurm slurm = new FakeSlurm();

  SuiteJob job(String id) {
    return new SuiteJob(id, List.of("echo", id), suite.resolve(id), suite.resolve(id + ".log"), 2);
  }

  /** Polls at once; a test that would poll forever fails instead. */
  SlurmExecutor executor(SlurmConfig config) {
    int[] polls = {0};
    return new SlurmExecutor(config, slurm, d -> {
      if (++polls[0] > 50) {
        throw new AssertionError("still polling after 50 polls: " + slurm.calls);
      }
    }, Clock.systemUTC());
  }

  Map<String, JobOutcome> run(List<SuiteJob> jobs) throws Exception {
    return executor(SlurmConfig.getDefaultInstance()).execute(suite, jobs, (j, s, d) -> {});
  }

  void exitFile(String task, int code) throws IOException {
    Files.createDirectories(suite.resolve("slurm/exit"));
    Files.writeString(suite.resolve("slurm/exit/" + task), code + "\n");
  }

  @Test
  void withoutSbatchTheErrorSaysToInstallSlurmOrUseTheLocalExecutorAndWritesNothing() {
    slurm.installed.remove("sbatch");
    TfpeftException e = assertThrows(TfpeftException.class, () -> run(List.of(job("a"))));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("sbatch is not on PATH"), e.getMessage());
    assertTrue(e.getMessage().contains("executor: LOCAL"), e.getMessage());
    assertTrue(!Files.exists(suite.resolve("slurm")));
  }

  @Test
  void sbatchRefusingShowsItsMessageAndLeavesNoSubmissionBehind() throws IOException {
    slurm.sbatch = argv -> new SlurmCommands.Result(1, "",
        "sbatch: error: invalid partition specified: gpu\n");
    SlurmConfig config = SlurmConfig.newBuilder().setPartition("gpu").build();
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> executor(config).execute(suite, List.of(job("a")), (j, s, d) -> {}));
    assertTrue(e.getMessage().contains("invalid partition specified: gpu"), e.getMessage());
    try (var files = Files.list(suite.resolve("slurm"))) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("array-")).toList());
    }
    assertEquals(List.of(), SlurmLedger.load(suite.resolve("slurm/state.json")).submissions);
  }

  @Test
  void theArrayIsSubmittedWithTheConfiguredResources() throws Exception {
    slurm.squeue = argv -> FakeSlurm.ok("41|0|COMPLETED|None\n41|1|COMPLETED|None\n");
    SlurmConfig config = SlurmConfig.newBuilder().setPartition("short").setAccount("lab")
        .setCpusPerTask(4).setMemMb(2048).setTime("01:00:00").setMaxRunning(1)
        .setGpusPerTask(1).addSbatchOptions("--qos=high").build();
    executor(config).execute(suite, List.of(job("a"), job("b")), (j, s, d) -> {});
    List<String> argv = slurm.callsOf("sbatch").get(0);
    for (String option : List.of("--parsable", "--array=0-1%1", "--cpus-per-task=4",
        "--gpus-per-task=1", "--mem=2048", "--time=01:00:00", "--partition=short",
        "--account=lab", "--qos=high")) {
      assertTrue(argv.contains(option), option + " missing from " + argv);
    }
    assertEquals(suite.resolve("slurm/array-1.sh").toAbsolutePath().toString(),
        argv.get(argv.size() - 1));
  }

  @Test
  void aTaskThatLeftTheQueueTakesItsExitCodeFromItsExitFile() throws Exception {
    exitFile("41_0", 0);
    exitFile("41_1", 3);
    Map<String, JobOutcome> out = run(List.of(job("a"), job("b")));
    assertEquals(new JobOutcome(JobState.SUCCEEDED, 0, ""), out.get("a"));
    assertEquals(JobState.FAILED, out.get("b").state());
    assertEquals(3, out.get("b").exitCode());
    assertTrue(out.get("b").detail().contains("exited with code 3"), out.get("b").detail());
    assertTrue(out.get("b").detail().contains(job("b").log().toString()), out.get("b").detail());
  }

  @Test
  void aTimedOutTaskFailsNamingTimeoutAndItsLog() throws Exception {
    slurm.squeue = argv -> FakeSlurm.ok("41|0|TIMEOUT|TimeLimit\n");
    JobOutcome out = run(List.of(job("a"))).get("a");
    assertEquals(JobState.FAILED, out.state());
    assertEquals(-1, out.exitCode());
    assertTrue(out.detail().contains("41_0 TIMEOUT"), out.detail());
    assertTrue(out.detail().contains(job("a").log().toString()), out.detail());
  }

  @Test
  void sacctNamesTheEndingOfATaskThatLeftTheQueueWithoutAnExitFile() throws Exception {
    slurm.sacct = argv -> FakeSlurm.ok("41_0|OUT_OF_MEMORY|0:125\n");
    JobOutcome out = run(List.of(job("a"))).get("a");
    assertEquals(JobState.FAILED, out.state());
    assertTrue(out.detail().contains("OUT_OF_MEMORY"), out.detail());
  }

  @Test
  void aTaskNeitherQueueNorAccountingKnowsIsLostAfterTwoPolls() throws Exception {
    JobOutcome out = run(List.of(job("a"))).get("a");
    assertEquals(new JobOutcome(JobState.FAILED, -1, "Slurm job 41_0 left the queue without"
        + " recording an exit code, and sacct is not available here (no accounting) (cancelled,"
        + " timed out or its node failed?); log: " + job("a").log()), out);
    assertEquals(2, slurm.callsOf("squeue").size());
  }

  @Test
  void anUnansweringControllerChangesNothing() throws Exception {
    int[] calls = {0};
    slurm.squeue = argv -> ++calls[0] <= 3
        ? new SlurmCommands.Result(1, "", "slurm_load_jobs error: Unable to contact slurm controller")
        : FakeSlurm.ok("41|0|COMPLETED|None\n");
    assertEquals(JobState.SUCCEEDED, run(List.of(job("a"))).get("a").state());
  }

  @Test
  void theListenerHearsEachChangeOnce() throws Exception {
    List<String> answers = new ArrayList<>(List.of("41|0|PENDING|Priority", "41|0|RUNNING|None",
        "41|0|RUNNING|None", "41|0|COMPLETED|None"));
    slurm.squeue = argv -> FakeSlurm.ok(answers.size() > 1 ? answers.remove(0) : answers.get(0));
    List<String> heard = new ArrayList<>();
    executor(SlurmConfig.getDefaultInstance()).execute(suite, List.of(job("a")),
        (j, s, d) -> heard.add(s + " " + d));
    assertEquals(List.of("PENDING Slurm job 41_0 submitted",
        "PENDING Slurm job 41_0 PENDING (Priority)", "RUNNING Slurm job 41_0 RUNNING",
        "SUCCEEDED "), heard);
  }

  @Test
  void aNewExecutorFollowsTheJobsOfAnInterruptedOneInsteadOfSubmittingThemAgain()
      throws Exception {
    slurm.squeue = argv -> FakeSlurm.ok("41|0|RUNNING|None\n");
    SlurmExecutor interrupted = new SlurmExecutor(SlurmConfig.getDefaultInstance(), slurm, d -> {
      throw new InterruptedException();
    }, Clock.systemUTC());
    assertThrows(InterruptedException.class,
        () -> interrupted.execute(suite, List.of(job("a")), (j, s, d) -> {}));

    FakeSlurm later = new FakeSlurm();
    later.squeue = argv -> FakeSlurm.ok("41|0|COMPLETED|None\n");
    JobOutcome out = new SlurmExecutor(SlurmConfig.getDefaultInstance(), later, d -> {},
        Clock.systemUTC()).execute(suite, List.of(job("a")), (j, s, d) -> {}).get("a");
    assertEquals(JobState.SUCCEEDED, out.state());
    assertEquals(List.of(), later.callsOf("sbatch"));
  }

  @Test
  void aJobWhoseOutcomeWasReturnedIsSubmittedAgainWhenAskedAgain() throws Exception {
    exitFile("41_0", 1);
    assertEquals(JobState.FAILED, run(List.of(job("a"))).get("a").state());
    slurm.sbatch = argv -> FakeSlurm.ok("42\n");
    exitFile("42_0", 0);
    assertEquals(JobState.SUCCEEDED, run(List.of(job("a"))).get("a").state());
    assertEquals(2, slurm.callsOf("sbatch").size());
  }

  @Test
  void aSubmissionWhoseAnswerWasLostIsFoundByItsJobName() throws Exception {
    Files.createDirectories(suite.resolve("slurm"));
    SlurmLedger ledger = new SlurmLedger();
    SlurmLedger.Submission s = new SlurmLedger.Submission();
    s.number = 1;
    s.jobName = "tfpeft-x-1";
    s.jobs.add("a");
    ledger.submissions.add(s);
    ledger.save(suite.resolve("slurm/state.json"));
    slurm.squeue = argv -> argv.contains("--name=tfpeft-x-1") ? FakeSlurm.ok("57\n")
        : FakeSlurm.ok("57|0|COMPLETED|None\n");
    assertEquals(JobState.SUCCEEDED, run(List.of(job("a"))).get("a").state());
    assertEquals(List.of(), slurm.callsOf("sbatch"));
  }
}
