package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.SuiteLoader;

/** The runner's policy, with a fake executor: skip the finished, retry once, select, go on. */
class SuiteRunnerTest {
  @TempDir Path dir;

  /** Validation (and test) top-1 a job's run reaches when it succeeds. */
  final Map<String, Double> accuracy = new HashMap<>();
  /** Outcomes scripted per job id, one per attempt; a job without a script succeeds. */
  final Map<String, Deque<JobState>> script = new HashMap<>();
  /** Job ids in the order the executor was given them, per execute call. */
  final List<List<String>> calls = new ArrayList<>();

  final SuiteExecutor fake = (suiteDir, jobs, listener) -> {
    calls.add(jobs.stream().map(SuiteJob::id).toList());
    Map<String, JobOutcome> out = new LinkedHashMap<>();
    for (SuiteJob j : jobs) {
      JobState s = script.getOrDefault(j.id(), new ArrayDeque<>()).isEmpty()
          ? JobState.SUCCEEDED : script.get(j.id()).poll();
      if (s == JobState.SUCCEEDED && !j.id().contains("-on-")) {
        writeReport(j.runDir(), accuracy.getOrDefault(j.id(), 0.5));
      }
      if (s == JobState.SUCCEEDED && j.id().contains("-on-")) {
        write(j.runDir().resolve("eval_epoch-0001_test_on_" + j.id().replaceFirst(".*-on-", "")
            + ".json"), "{\"test\": {\"top1\": 0.25}}");
      }
      out.put(j.id(), new JobOutcome(s, s == JobState.SUCCEEDED ? 0 : 3,
          s == JobState.SUCCEEDED ? "" : "exit code 3"));
    }
    return out;
  };

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void writeReport(Path runDir, double top1) {
    write(runDir.resolve("report.json"), "{\"test\": {\"top1\": " + top1 + "}, \"best\":"
        + " {\"eval\": {\"split\": \"val\", \"top1\": " + top1 + "}}}");
  }

  SuitePlan plan(String text) {
    return SuitePlan.expand(SuiteLoader.parse(text, "s.pbtxt"), dir);
  }

  static final JobCommands COMMANDS = new JobCommands() {
    @Override
    public List<String> train(Path config) {
      return List.of("train", config.toString());
    }

    @Override
    public List<String> eval(Path runDir, Path dataFile) {
      return List.of("eval", runDir.toString(), dataFile.toString());
    }
  };

  SuiteRunner.Summary run(SuitePlan plan) throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    return new SuiteRunner(plan, fake, COMMANDS, 1, new SuiteProgress(quiet, false, 1,
        System::nanoTime), quiet::println).run();
  }

  static final String SEARCH = """
      name: "s"
      task { name: "t" }
      method { name: "m" config: "c" search { field: "x" value: ["a", "b"] } }
      seed: [1, 2, 3]
      """;

  @Test
  void theSearchRunsFirstThenTheSelectedPointsOtherSeeds() throws Exception {
    accuracy.put("t-m-x-a-s1", 0.4);
    accuracy.put("t-m-x-b-s1", 0.6);
    run(plan(SEARCH));
    assertEquals(List.of(List.of("t-m-x-a-s1", "t-m-x-b-s1"), List.of("t-m-x-b-s2",
        "t-m-x-b-s3")), calls);
  }

  @Test
  void finishedRunsAreSkipped() throws Exception {
    SuitePlan p = plan(SEARCH);
    writeReport(dir.resolve("runs/t-m-x-a-s1"), 0.9);
    writeReport(dir.resolve("runs/t-m-x-a-s3"), 0.9);
    SuiteRunner.Summary s = run(p);
    assertEquals(List.of(List.of("t-m-x-b-s1"), List.of("t-m-x-a-s2")), calls);
    assertEquals(2, s.skipped());
    assertEquals(2, s.ran());
  }

  @Test
  void aFailedRunIsRetriedOnce() throws Exception {
    script.put("t-m-s1", new ArrayDeque<>(List.of(JobState.FAILED)));
    SuiteRunner.Summary s = run(plan("name: \"s\" task { name: \"t\" } method { name: \"m\""
        + " config: \"c\" }"));
    assertEquals(List.of(List.of("t-m-s1"), List.of("t-m-s1")), calls);
    assertEquals(List.of(), s.failures());
  }

  @Test
  void aRunThatFailsTwiceIsReportedWithItsLog() throws Exception {
    script.put("t-m-s1", new ArrayDeque<>(List.of(JobState.FAILED, JobState.FAILED)));
    SuiteRunner.Summary s = run(plan("name: \"s\" task { name: \"t\" } method { name: \"m\""
        + " config: \"c\" }"));
    assertEquals(2, calls.size());
    assertEquals(List.of("t-m-s1: exit code 3 (log " + dir.resolve("logs/t-m-s1.log") + ")"),
        s.failures());
  }

  @Test
  void aSearchWhoseRunsAllFailedIsReportedNotSelected() throws Exception {
    script.put("t-m-x-a-s1", new ArrayDeque<>(List.of(JobState.FAILED, JobState.FAILED)));
    script.put("t-m-x-b-s1", new ArrayDeque<>(List.of(JobState.FAILED, JobState.FAILED)));
    SuiteRunner.Summary s = run(plan(SEARCH));
    assertEquals(2, s.failures().size());
    assertEquals(List.of("t/m: no run of the search has finished"), s.problems());
    assertEquals(2, calls.size(), "nothing runs after a failed search");
  }

  @Test
  void transferEvaluationsRunOnTheSelectedRunsAfterTraining() throws Exception {
    SuitePlan p = plan("""
        name: "s"
        task { name: "src" }
        task { name: "tgt" data { synthetic { task: "size" } } }
        method { name: "m" config: "c" }
        protocol { transfer { source: "src" target: "tgt" } }
        """);
    run(p);
    assertEquals(List.of(List.of("src-m-s1"), List.of("src-m-s1-on-tgt")), calls);
    assertEquals(0.25, RunResults.evalTop1(p.evals(p.runs().get(0)).get(0)), 0);
  }

  @Test
  void oneRunsEvaluationsFollowOneAnotherAndDifferentRunsGoSideBySide() throws Exception {
    // each evaluation holds its run's lock: two of one run at once, as a --jobs 2 suite or a
    // Slurm array would start them, would find the run locked and fail
    SuitePlan p = plan("""
        name: "s"
        task { name: "src" }
        task { name: "a" data { synthetic { task: "size" } } }
        task { name: "b" data { synthetic { task: "color" } } }
        method { name: "m" config: "c" }
        seed: [1, 2]
        protocol { transfer { source: "src" target: ["a", "b"] } }
        """);
    SuiteRunner.Summary s = run(p);
    assertEquals(List.of(List.of("src-m-s1", "src-m-s2"),
        List.of("src-m-s1-on-a", "src-m-s2-on-a"), List.of("src-m-s1-on-b", "src-m-s2-on-b")),
        calls);
    assertEquals(List.of(), s.failures());
    for (SuitePlan.Run r : p.runs()) {
      for (SuitePlan.Eval e : p.evals(r)) {
        assertEquals(0.25, RunResults.evalTop1(e), 0, e.id());
      }
    }
  }

  @Test
  void anInterruptedStageEndsTheSuiteRunningNothingAfterIt() throws Exception {
    SuitePlan p = plan(SEARCH);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    SuiteExecutor interrupted = (suiteDir, jobs, listener) -> {
      calls.add(jobs.stream().map(SuiteJob::id).toList());
      throw new InterruptedException();
    };
    SuiteRunner runner = new SuiteRunner(p, interrupted, COMMANDS, 1, new SuiteProgress(quiet, false,
        1, System::nanoTime), quiet::println);
    org.junit.jupiter.api.Assertions.assertThrows(InterruptedException.class, runner::run);
    assertEquals(1, calls.size());
  }

  @Test
  void thePlanFileListsEveryRunAndTheSelection() throws Exception {
    accuracy.put("t-m-x-b-s1", 0.6);
    run(plan(SEARCH));
    String json = Files.readString(dir.resolve("suite.json"));
    assertTrue(json.contains("\"id\": \"t-m-x-a-s3\""), json);
    assertTrue(json.contains("\"setting\": \"t/m\",\n      \"point\": \"x=b\""), json);
  }
}
