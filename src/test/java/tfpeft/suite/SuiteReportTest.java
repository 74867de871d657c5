package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tables of a suite's report, from hand-written run results (means and stds by hand). */
class SuiteReportTest {
  final Map<String, RunResults.Result> results = new HashMap<>();
  final Map<String, Double> evals = new HashMap<>();

  void test(String id, double top1) {
    results.put(id, new RunResults.Result(top1, top1, "val", Double.NaN, Double.NaN));
  }

  SuiteReport report(String suite) {
    return new SuiteReport(SuitePlanTest.plan(suite),
        r -> Optional.ofNullable(results.get(r.id())),
        e -> evals.getOrDefault(e.id(), Double.NaN), r -> 0.125);
  }

  static SuiteReport.Cell cell(SuiteReport r, int table, String row, String column) {
    SuiteReport.Table t = r.tables().get(table);
    for (SuiteReport.Row x : t.rows()) {
      if (x.label().equals(row)) {
        return x.cells().get(t.columns().indexOf(column));
      }
    }
    throw new AssertionError("no row " + row);
  }

  static final String VTAB = """
      name: "s"
      task { name: "a1" group: "A" }
      task { name: "a2" group: "A" }
      task { name: "b1" group: "B" }
      method { name: "m" config: "c" }
      seed: [1, 2]
      """;

  @Test
  void aTaskCellIsTheMeanAndSampleStdOverSeeds() {
    test("a1-m-s1", 0.60);
    test("a1-m-s2", 0.70);
    SuiteReport.Cell c = cell(report(VTAB), 0, "m", "a1");
    assertEquals(0.65, c.mean(), 1e-12);
    assertEquals(Math.sqrt(0.005), c.std(), 1e-12); // ((0.05^2 + 0.05^2) / (2 - 1))^0.5
    assertEquals("65.00 ± 7.07", c.text());
  }

  @Test
  void groupMeansAndTheMeanOfTheGroupMeansArePerSeedThenOverSeeds() {
    test("a1-m-s1", 0.6);
    test("a2-m-s1", 0.8);
    test("b1-m-s1", 0.4);
    test("a1-m-s2", 0.5);
    test("a2-m-s2", 0.7);
    test("b1-m-s2", 0.2);
    SuiteReport r = report(VTAB);
    // group A per seed: 0.7, 0.6; B: 0.4, 0.2; mean of the groups per seed: 0.55, 0.4
    assertEquals(0.65, cell(r, 0, "m", "A mean").mean(), 1e-12);
    assertEquals(0.3, cell(r, 0, "m", "B mean").mean(), 1e-12);
    assertEquals(0.475, cell(r, 0, "m", "mean").mean(), 1e-12);
    assertEquals(Math.sqrt(2 * 0.075 * 0.075), cell(r, 0, "m", "mean").std(), 1e-12);
    assertEquals(0.125, cell(r, 0, "m", "stored MB").mean(), 0);
  }

  @Test
  void aMissingRunIsShownMissingNotAsZero() {
    test("a1-m-s1", 0.6);
    SuiteReport r = report(VTAB);
    assertEquals("missing", cell(r, 0, "m", "a2").text());
    assertEquals("60.00 ± 0.00 (1 of 2 seeds)", cell(r, 0, "m", "a1").text());
    assertEquals("missing", cell(r, 0, "m", "A mean").text());
    assertTrue(r.markdown().contains("- a2-m-s1 ("), r.markdown());
    assertTrue(r.csv().contains("tasks,m,a2,,,0,2\n"), r.csv());
  }

  @Test
  void theTableReportsTheSelectedPointsTestAccuracy() {
    String suite = """
        name: "s"
        task { name: "t" }
        method { name: "m" config: "c" search { field: "x" value: ["a", "b"] } }
        """;
    results.put("t-m-x-a-s1", new RunResults.Result(0.9, 0.5, "val", Double.NaN, Double.NaN));
    results.put("t-m-x-b-s1", new RunResults.Result(0.3, 0.6, "val", Double.NaN, Double.NaN));
    SuiteReport r = report(suite);
    assertEquals(0.3, cell(r, 0, "m", "t").mean(), 0);
    assertTrue(r.markdown().contains("| t/m | x=b | 60.00 |"), r.markdown());
    assertTrue(r.tables().get(0).caption().contains("highest validation top-1 of seed 1"));
  }

  @Test
  void fewShotAveragesThePerSeedMeanOverDatasetsForEachShotCount() {
    String suite = """
        name: "s"
        task { name: "p" }
        task { name: "q" }
        method { name: "m" config: "c" }
        protocol { few_shot { shots: [1, 4] } }
        seed: [1, 2]
        """;
    test("p-m-4shot-s1", 0.8);
    test("q-m-4shot-s1", 0.6);
    test("p-m-4shot-s2", 0.6);
    test("q-m-4shot-s2", 0.6);
    SuiteReport r = report(suite);
    assertEquals("shots-average", r.tables().get(0).id());
    SuiteReport.Cell c = cell(r, 0, "m", "4-shot"); // per seed 0.7, 0.6
    assertEquals(0.65, c.mean(), 1e-12);
    assertEquals(Math.sqrt(0.005), c.std(), 1e-12);
    assertEquals("missing", cell(r, 0, "m", "1-shot").text());
    assertTrue(r.plots().containsKey("shots-average.svg"));
  }

  @Test
  void theHarmonicMeanIsOfTheSeedAveragedBaseAndNew() {
    String suite = """
        name: "s"
        task { name: "p" }
        method { name: "m" config: "c" }
        protocol { base_to_new {} }
        seed: [1, 2]
        """;
    results.put("p-m-s1", new RunResults.Result(0.9, 0.9, "val", 0.9, 0.2));
    results.put("p-m-s2", new RunResults.Result(0.7, 0.7, "val", 0.7, 0.6));
    SuiteReport r = report(suite);
    // base 0.8, new 0.4: H = 2 * 0.8 * 0.4 / 1.2, not the mean of the per-seed Hs
    assertEquals(0.8, cell(r, 1, "m", "base").mean(), 1e-12);
    assertEquals(0.4, cell(r, 1, "m", "new").mean(), 1e-12);
    assertEquals(0.64 / 1.2, cell(r, 1, "m", "H").mean(), 1e-12);
    assertEquals(0.64 / 1.2, cell(r, 0, "m", "H").mean(), 1e-12);
  }

  @Test
  void transferReportsTheSourceAndEachTargetsEvaluation() {
    String suite = """
        name: "s"
        task { name: "src" }
        task { name: "t1" }
        task { name: "t2" }
        method { name: "m" config: "c" }
        protocol { transfer { source: "src" target: ["t1", "t2"] } }
        """;
    test("src-m-s1", 0.9);
    evals.put("src-m-s1-on-t1", 0.5);
    evals.put("src-m-s1-on-t2", 0.3);
    SuiteReport r = report(suite);
    assertEquals(0.9, cell(r, 0, "m", "src (source)").mean(), 0);
    assertEquals(0.5, cell(r, 0, "m", "t1").mean(), 0);
    assertEquals(0.4, cell(r, 0, "m", "target mean").mean(), 1e-12);
  }

  @Test
  void writingReplacesTheFilesAndLeavesNoTemporaries(@TempDir Path out) throws Exception {
    test("a1-m-s1", 0.6);
    Files.writeString(out.resolve("report.md"), "old");
    report(VTAB).write(out);
    assertTrue(Files.readString(out.resolve("report.md")).startsWith("# s\n"));
    assertEquals(List.of("mean.svg", "report.csv", "report.md"),
        Files.list(out).map(p -> p.getFileName().toString()).sorted().toList());
  }
}
