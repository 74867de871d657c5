package tfpeft.peft.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The search of C follows CoOp's lpclip/linear_probe.py step by step. */
class RegularizationSearchTest {
  // two overlapping classes: accuracy on validation depends on C
  static final float[][] X = {{0f, 1f}, {0.2f, 0.9f}, {1f, 0f}, {0.9f, 0.3f}, {0.5f, 0.6f},
      {0.6f, 0.4f}, {0.4f, 0.45f}, {0.55f, 0.5f}};
  static final int[] Y = {0, 0, 1, 1, 0, 1, 1, 0};
  static final float[][] VAL_X = {{0.45f, 0.5f}, {0.5f, 0.45f}, {0.1f, 0.8f}, {0.8f, 0.2f}};
  static final int[] VAL_Y = {0, 1, 0, 1};

  @Test
  void theCoarsePassTriesPowersOfTenFromAMillionDown() {
    List<RegularizationSearch.Trial> t = search(2).trials();
    double[] coarse = t.subList(0, 7).stream().mapToDouble(RegularizationSearch.Trial::c)
        .toArray();
    assertArrayEquals(new double[] {1e6, 1e4, 1e2, 1, 1e-2, 1e-4, 1e-6}, coarse);
  }

  @Test
  void eachRoundKeepsTheBetterEndAndHalvesTheIntervalTowardIt() {
    RegularizationSearch.Result r = search(3);
    List<RegularizationSearch.Trial> t = r.trials();
    int peak = 0;
    for (int i = 1; i < 7; i++) {
      if (t.get(i).correct() > t.get(peak).correct()) {
        peak = i;
      }
    }
    double left = 0.1 * t.get(peak).c();
    double right = 10 * t.get(peak).c();
    double kept = Double.NaN;
    for (int round = 0; round < 3; round++) {
      RegularizationSearch.Trial l = t.get(7 + 2 * round);
      RegularizationSearch.Trial rt = t.get(8 + 2 * round);
      assertEquals(left, l.c(), 1e-9 * left, "left end of round " + round);
      assertEquals(right, rt.c(), 1e-9 * right, "right end of round " + round);
      double mid = Math.pow(10, (Math.log10(left) + Math.log10(right)) / 2);
      if (l.correct() < rt.correct()) {
        kept = right;
        left = mid;
      } else {
        kept = left;
        right = mid;
      }
    }
    assertEquals(kept, r.c(), 1e-9 * kept);
    assertEquals(13, t.size());
  }

  @Test
  void withoutRoundsTheCoarsePeakIsKept() {
    RegularizationSearch.Result r = search(0);
    assertEquals(7, r.trials().size());
    int best = r.trials().stream().mapToInt(RegularizationSearch.Trial::correct).max()
        .orElseThrow();
    assertEquals(r.trials().stream().filter(t -> t.correct() == best).findFirst()
        .orElseThrow().c(), r.c());
  }

  private static RegularizationSearch.Result search(int steps) {
    return RegularizationSearch.run(new LogisticRegression(X, Y, 2), VAL_X, VAL_Y, steps,
        1000);
  }
}
