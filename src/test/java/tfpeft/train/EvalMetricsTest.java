package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Accuracy, per-class accuracy and confusion on predictions made by hand. */
class EvalMetricsTest {
  static EvalMetrics of(int classes, int k, int[] labels, float[][] scores) {
    EvalMetrics.Accumulator a = new EvalMetrics.Accumulator(classes, k);
    for (int i = 0; i < labels.length; i++) {
      a.add(labels[i], scores[i]);
    }
    return a.result();
  }

  @Test
  void topOneTopKPerClassAndConfusion() {
    // 3 classes, 5 images; argmax per row: 0, 1, 1, 2, 0; second best: 1, 0, 2, 0, 2
    int[] labels = {0, 0, 1, 2, 2};
    float[][] scores = {
        {0.9f, 0.1f, 0.0f},
        {0.3f, 0.6f, 0.1f},
        {0.1f, 0.7f, 0.2f},
        {0.2f, 0.1f, 0.7f},
        {0.5f, 0.1f, 0.4f}};
    EvalMetrics m = of(3, 2, labels, scores);
    assertEquals(5, m.images());
    assertEquals(3 / 5.0, m.top1(), 1e-12); // images 0, 2, 3
    assertEquals(5 / 5.0, m.topK(), 1e-12); // 1: class 0 second; 4: class 2 second
    assertArrayEquals(new double[] {0.5, 1.0, 0.5}, m.perClass(), 1e-12);
    assertEquals((0.5 + 1.0 + 0.5) / 3, m.meanPerClass(), 1e-12);
    assertArrayEquals(new long[] {1, 1, 0}, m.confusion()[0]);
    assertArrayEquals(new long[] {0, 1, 0}, m.confusion()[1]);
    assertArrayEquals(new long[] {1, 0, 1}, m.confusion()[2]);
  }

  @Test
  void tiesGoToTheLowerClassAndKIsCappedAtTheClassCount() {
    EvalMetrics m = of(2, 5, new int[] {1, 0}, new float[][] {{0.5f, 0.5f}, {0.5f, 0.5f}});
    assertEquals(2, m.k());
    assertEquals(0.5, m.top1(), 1e-12);
    assertEquals(1.0, m.topK(), 1e-12);
    assertArrayEquals(new int[] {0, 1}, EvalMetrics.topK(new float[] {1, 1}, 2));
    assertArrayEquals(new int[] {2, 0, 1}, EvalMetrics.topK(new float[] {3, 1, 5}, 3));
  }

  @Test
  void aClassWithoutImagesHasNoAccuracyAndDoesNotCountInTheMean() {
    EvalMetrics m = of(3, 1, new int[] {0, 0}, new float[][] {{1, 0, 0}, {0, 1, 0}});
    assertTrue(Double.isNaN(m.perClass()[1]));
    assertTrue(Double.isNaN(m.perClass()[2]));
    assertEquals(0.5, m.meanPerClass(), 1e-12);
    assertTrue(m.toJson(List.of("a", "b", "c")).getAsJsonObject("per_class").get("c")
        .isJsonNull());
  }

  @Test
  void harmonicMeanOfBaseAndNew() {
    assertEquals(2 * 0.8 * 0.6 / 1.4, EvalMetrics.harmonicMean(0.8, 0.6), 1e-12);
    assertEquals(0.0, EvalMetrics.harmonicMean(0, 0));
    assertEquals(0.5, EvalMetrics.harmonicMean(0.5, 0.5), 1e-12);
  }

  @Test
  void theTableShowsTheMatrixAndPerClassAccuracy() {
    EvalMetrics m = of(2, 1, new int[] {0, 1, 1}, new float[][] {{1, 0}, {1, 0}, {0, 1}});
    List<String> t = m.table(List.of("circle", "square"));
    assertEquals(3, t.size());
    assertTrue(t.get(1).contains("circle") && t.get(1).contains("100.00%"), t.toString());
    assertTrue(t.get(2).matches("1 square\\s+1\\s+1\\s+50.00%"), t.toString());
  }
}
