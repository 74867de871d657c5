package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LabelPlanTest {
  private static int[] counts(int classes, int[]... splits) {
    int[] counts = new int[classes];
    for (int[] split : splits) {
      for (int label : split) {
        counts[label]++;
      }
    }
    return counts;
  }

  private static int spread(int[] counts) {
    return Arrays.stream(counts).max().orElseThrow() - Arrays.stream(counts).min().orElseThrow();
  }

  @Test
  void everySplitAndTrainPlusValAreBalancedToWithinOne() {
    for (int classes = 2; classes <= 9; classes++) {
      int[] train = LabelPlan.balanced(classes, 0, 800, new SplittableRandom(1));
      int[] val = LabelPlan.balanced(classes, 800, 200, new SplittableRandom(2));
      int[] test = LabelPlan.balanced(classes, 1000, 600, new SplittableRandom(3));
      assertTrue(spread(counts(classes, train)) <= 1, "train, " + classes + " classes");
      assertTrue(spread(counts(classes, val)) <= 1, "val, " + classes + " classes");
      assertTrue(spread(counts(classes, test)) <= 1, "test, " + classes + " classes");
      assertTrue(spread(counts(classes, train, val)) <= 1, "train+val, " + classes + " classes");
    }
  }

  @Test
  void labelsAreShuffledWithinASplit() {
    int[] labels = LabelPlan.balanced(4, 0, 40, new SplittableRandom(7));
    int[] roundRobin = IntStream.range(0, 40).map(i -> i % 4).toArray();
    assertNotEquals(Arrays.toString(roundRobin), Arrays.toString(labels));
    assertEquals(40, labels.length);
  }
}
