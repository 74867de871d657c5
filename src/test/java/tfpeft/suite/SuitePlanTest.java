package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.SuiteLoader;

/** How a suite config expands into settings, grid points and runs. */
class SuitePlanTest {
  static final Path DIR = Path.of("/suites/s");

  static SuitePlan plan(String text) {
    return SuitePlan.expand(SuiteLoader.parse(text, "s.pbtxt"), DIR);
  }

  static final String TWO_TASKS = """
      name: "s"
      task { name: "shape" group: "appearance" }
      task { name: "count" group: "structure" }
      """;

  @Test
  void eachTaskMethodAndSeedIsOneRunNamedForThem() {
    SuitePlan p = plan(TWO_TASKS + """
        method { name: "lora" config: "lora.pbtxt" }
        method { name: "vp" config: "vp.pbtxt" set: "method.pear.share=false" }
        seed: [1, 2]
        """);
    assertEquals(List.of("shape-lora-s1", "shape-lora-s2", "shape-vp-s1", "shape-vp-s2",
        "count-lora-s1", "count-lora-s2", "count-vp-s1", "count-vp-s2"),
        p.runs().stream().map(SuitePlan.Run::id).toList());
    SuitePlan.Run r = p.runs().get(2);
    assertEquals(DIR.resolve("runs/shape-vp-s1"), r.runDir());
    assertEquals(DIR.resolve("configs/shape-vp-s1.pbtxt"), r.configFile());
    assertEquals(DIR.resolve("logs/shape-vp-s1.log"), r.log());
  }

  @Test
  void noSeedsRunSeedOne() {
    SuitePlan p = plan(TWO_TASKS + "method { name: \"lora\" config: \"lora.pbtxt\" }");
    assertEquals(List.of(1L), p.seeds());
    assertEquals(2, p.runs().size());
  }

  @Test
  void aSearchGridIsEveryCombinationOfItsAxesFirstAxisSlowest() {
    SuitePlan p = plan("""
        name: "s"
        task { name: "shape" }
        method {
          name: "pear" config: "pear.pbtxt"
          search { field: "method.pear.knowledge_checkpoint" value: ["NONE", "DA"] label: "kc" }
          search { field: "method.pear.lora.scale" value: ["0.1", "10"] }
        }
        """);
    SuitePlan.Setting s = p.settings().get(0);
    assertEquals(List.of("kc=NONE scale=0.1", "kc=NONE scale=10", "kc=DA scale=0.1",
        "kc=DA scale=10"), p.points(s).stream().map(SuitePlan.Point::label).toList());
    assertEquals(List.of("method.pear.knowledge_checkpoint=DA", "method.pear.lora.scale=0.1"),
        p.points(s).get(2).overrides());
    assertEquals("shape-pear-kc-DA-scale-0.1-s1", p.runs().get(2).id());
    assertTrue(p.searched(s));
  }

  @Test
  void theFirstStageRunsTheGridWithTheFirstSeedOnly() {
    SuitePlan p = plan("""
        name: "s"
        task { name: "shape" }
        method { name: "pear" config: "p.pbtxt" search { field: "seed" value: ["5", "6"] } }
        method { name: "lora" config: "l.pbtxt" }
        seed: [3, 4]
        """);
    assertEquals(List.of("shape-pear-seed-5-s3", "shape-pear-seed-6-s3", "shape-lora-s3",
        "shape-lora-s4"), p.firstStage().stream().map(SuitePlan.Run::id).toList());
  }

  @Test
  void withMeanOfSeedsTheFirstStageRunsTheWholeGrid() {
    SuitePlan p = plan("""
        name: "s"
        task { name: "shape" }
        method { name: "pear" config: "p.pbtxt" search { field: "seed" value: ["5", "6"] } }
        seed: [3, 4]
        selection: MEAN_OF_SEEDS
        """);
    assertEquals(4, p.firstStage().size());
  }

  @Test
  void fewShotSettingsAreOnePerShotCount() {
    SuitePlan p = plan(TWO_TASKS + """
        method { name: "coop" config: "c.pbtxt" }
        protocol { few_shot { shots: [1, 16] } }
        """);
    assertEquals(List.of("shape/coop/1-shot", "shape/coop/16-shot", "count/coop/1-shot",
        "count/coop/16-shot"), p.settings().stream().map(SuitePlan.Setting::key).toList());
    assertEquals("count-coop-16shot-s1", p.runs().get(3).id());
  }

  @Test
  void transferTrainsOnTheSourceAndEvaluatesEachRunOnEachTarget() {
    SuitePlan p = plan(TWO_TASKS + """
        task { name: "size" }
        method { name: "coop" config: "c.pbtxt" }
        protocol { transfer { source: "shape" target: ["count", "size"] } }
        """);
    assertEquals(List.of("shape-coop-s1"), p.runs().stream().map(SuitePlan.Run::id).toList());
    assertEquals(List.of("shape-coop-s1-on-count", "shape-coop-s1-on-size"),
        p.evals(p.runs().get(0)).stream().map(SuitePlan.Eval::id).toList());
    assertEquals(DIR.resolve("data/size.pbtxt"), p.evals(p.runs().get(0)).get(1).dataFile());
  }

  @Test
  void twoTasksWithOneNameAreRefusedAtTheSecond() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "shape" }
        method { name: "m" config: "c.pbtxt" }
        task { name: "shape" }
        """));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("s.pbtxt:4:8: task[1].name: two tasks are named"
        + " 'shape' (the other at s.pbtxt:2:1)"), e.getMessage());
  }

  @Test
  void twoMethodsWithOneNameAreRefused() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "shape" }
        method { name: "m" config: "a.pbtxt" }
        method { name: "m" config: "b.pbtxt" }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:4:10: method[1].name: two methods"),
        e.getMessage());
  }

  @Test
  void gridPointsWhoseNamesCollideAreRefused() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "shape" }
        method { name: "m" config: "a.pbtxt" search { field: "x" value: ["a/b", "a_b"] } }
        """));
    assertTrue(e.getMessage().contains("two runs would be named 'shape-m-x-a_b-s1'"),
        e.getMessage());
  }

  @Test
  void aSeedListedTwiceIsRefused() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan(TWO_TASKS
        + "method { name: \"m\" config: \"a\" }\nseed: [1, 2, 1]\n"));
    assertTrue(e.getMessage().contains("seed: seed 1 is listed twice"), e.getMessage());
  }

  @Test
  void aNegativeSeedIsRefusedAtItsLine() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan(TWO_TASKS
        + "method { name: \"m\" config: \"a\" }\nseed: -1\n"));
    assertTrue(e.getMessage().startsWith("s.pbtxt:5:1: seed: must be >= 0"), e.getMessage());
  }

  @Test
  void aTransferTargetThatIsNoTaskIsRefused() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan(TWO_TASKS + """
        method { name: "m" config: "a" }
        protocol { transfer { source: "shape" target: "sizes" } }
        """));
    assertTrue(e.getMessage().contains("protocol.transfer.target: no task is named 'sizes';"
        + " the tasks are shape, count"), e.getMessage());
  }

  @Test
  void aTaskNameThatIsNoPlainNameIsRefused() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "../x" }
        method { name: "m" config: "a" }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:2:8: task[0].name: '../x' is not a plain"
        + " name"), e.getMessage());
  }

  @Test
  void aMethodWithoutConfigIsRefusedAtItsBlock() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "shape" }
        method { name: "m" }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:3:1: method[0].config: is required"),
        e.getMessage());
  }

  @Test
  void anUnknownSuiteFieldIsRefusedWithItsPath() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        task { name: "shape" grup: "x" }
        """));
    assertTrue(e.getMessage().startsWith("s.pbtxt:2:22: task.grup: unknown field 'grup'; did"
        + " you mean 'group'?"), e.getMessage());
  }

  @Test
  void anUnknownExecutorNamesTheValuesThatExist() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> plan("""
        name: "s"
        executor: SLRUM
        task { name: "shape" }
        """));
    assertTrue(e.getMessage().contains("'SLRUM' is not a value of Executor; use one of")
        && e.getMessage().contains("SLURM"), e.getMessage());
  }
}
