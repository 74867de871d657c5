package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;

/** Mean and sample standard deviation across the seeds of one setting. */
class RunStatisticsTest {
  static JsonObject report(double top1, double top5, Double base, Double novel) {
    String b2n = base == null ? "" : String.format(
        ", \"base_to_new\": {\"base\": %s, \"new\": %s}", base, novel);
    return JsonParser.parseString(String.format(
        "{\"test\": {\"top1\": %s, \"top5\": %s, \"k\": 5}%s}", top1, top5, b2n))
        .getAsJsonObject();
  }

  @Test
  void meanAndSampleStandardDeviation() {
    RunStatistics.MeanStd m = RunStatistics.meanStd(new double[] {0.8, 0.9, 1.0});
    assertEquals(0.9, m.mean(), 1e-12);
    assertEquals(0.1, m.std(), 1e-12); // sqrt((0.01 + 0 + 0.01) / 2)
    assertEquals(0.0, RunStatistics.meanStd(new double[] {0.7}).std());
  }

  @Test
  void acrossRunsWithHFromTheMeanBaseAndNew() {
    RunStatistics s = RunStatistics.of(List.of("seed1", "seed2"), List.of(
        report(0.70, 0.95, 0.8, 0.6), report(0.74, 0.97, 0.9, 0.5)));
    assertEquals(0.72, RunStatistics.meanStd(s.values().get("test top-1")).mean(), 1e-12);
    assertEquals(Math.sqrt(0.0008), RunStatistics.meanStd(s.values().get("test top-1")).std(),
        1e-12);
    assertEquals(0.96, RunStatistics.meanStd(s.values().get("test top-5")).mean(), 1e-12);
    // H of the means (0.85, 0.55), not the mean of the per-seed H
    assertEquals(2 * 0.85 * 0.55 / 1.4, s.harmonicMeanOfMeans(), 1e-12);
    List<String> lines = s.lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("test top-1") && l.contains("72.00%")
        && l.contains("+- 2.83")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("  H") && l.contains("66.79%")),
        lines.toString());
  }

  @Test
  void runsOfDifferentSettingsAreRefused() {
    assertThrows(TfpeftException.class, () -> RunStatistics.of(List.of("a", "b"), List.of(
        report(0.7, 0.9, 0.8, 0.6), report(0.7, 0.9, null, null))));
  }
}
