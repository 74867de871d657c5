package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-task search's rule: the best validation top-1, of seed one or of the seeds' mean. */
class SelectionTest {
  static final String SUITE = """
      name: "s"
      task { name: "t" }
      method { name: "m" config: "c" search { field: "x" value: ["a", "b", "c"] } }
      seed: [1, 2]
      """;

  final Map<String, RunResults.Result> results = new HashMap<>();

  void val(String id, double v) {
    results.put(id, new RunResults.Result(0.5, v, "val", Double.NaN, Double.NaN));
  }

  Selection.Choice select(String suite) {
    SuitePlan p = SuitePlanTest.plan(suite);
    return Selection.select(p, p.settings().get(0), r -> Optional.ofNullable(results.get(
        r.id())));
  }

  @Test
  void firstSeedSelectsTheBestValidationTop1OfTheFirstSeedAlone() {
    val("t-m-x-a-s1", 0.60);
    val("t-m-x-b-s1", 0.70);
    val("t-m-x-c-s1", 0.65);
    val("t-m-x-c-s2", 0.99); // a later seed does not count under FIRST_SEED
    Selection.Choice c = select(SUITE);
    assertEquals("x=b", c.point().label());
    assertEquals(0.70, c.score(), 0);
    assertTrue(c.complete());
  }

  @Test
  void meanOfSeedsSelectsTheBestMeanValidationTop1() {
    val("t-m-x-a-s1", 0.60);
    val("t-m-x-a-s2", 0.60);
    val("t-m-x-b-s1", 0.70);
    val("t-m-x-b-s2", 0.40);
    val("t-m-x-c-s1", 0.65);
    val("t-m-x-c-s2", 0.64);
    Selection.Choice c = select(SUITE + "selection: MEAN_OF_SEEDS\n");
    assertEquals("x=c", c.point().label());
    assertEquals(0.645, c.score(), 1e-12);
  }

  @Test
  void equalScoresKeepTheEarlierPointInGridOrder() {
    val("t-m-x-a-s1", 0.5);
    val("t-m-x-b-s1", 0.7);
    val("t-m-x-c-s1", 0.7);
    assertEquals("x=b", select(SUITE).point().label());
  }

  @Test
  void aSearchWithRunsMissingSelectsAmongTheFinishedAndSaysSo() {
    val("t-m-x-a-s1", 0.5);
    val("t-m-x-c-s1", 0.4);
    Selection.Choice c = select(SUITE);
    assertEquals("x=a", c.point().label());
    assertFalse(c.complete());
  }

  @Test
  void aRunEvaluatedOnTheTestSplitCannotBeSelectedOn() {
    val("t-m-x-a-s1", 0.5);
    results.put("t-m-x-b-s1", new RunResults.Result(0.5, 0.9, "test", Double.NaN, Double.NaN));
    Selection.Choice c = select(SUITE);
    assertNull(c.point());
    assertTrue(c.problem().contains("t-m-x-b-s1 evaluated on no validation split"),
        c.problem());
  }

  @Test
  void aSettingWithoutSearchNeedsNoResults() {
    SuitePlan p = SuitePlanTest.plan("name: \"s\" task { name: \"t\" } method { name: \"m\""
        + " config: \"c\" }");
    Selection.Choice c = Selection.select(p, p.settings().get(0), r -> Optional.empty());
    assertEquals("", c.point().label());
    assertEquals("", c.problem());
  }
}
