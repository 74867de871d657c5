package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The prune/share mapping. */
class PearPlanTest {
  static final List<String> SITES = List.of("p0", "p1", "p2", "p3", "p4", "p5");
  // ranks: p0 (5) > p2 (4) > p4 (3) > p5 (2) > p1 (1) > p3 (0.5)
  static final double[] IMPORTANCE = {5, 1, 4, 0.5, 3, 2};

  @Test
  void halfIsPrunedAndTheMostImportantPrunedPositionTakesTheMostImportantKeptAdapter() {
    PearPlan plan = PearPlan.decide(SITES, IMPORTANCE, 0.5, true);
    assertEquals(List.of(0, 2, 4), plan.kept());
    assertArrayEquals(new boolean[] {false, true, false, true, false, true}, plan.pruned());
    // pruned by rank: p5, p1, p3 -> kept by rank: p0, p2, p4
    assertArrayEquals(new int[] {0, 2, 2, 4, 4, 0}, plan.uses());
    assertEquals(List.of(5), plan.takenOverBy(0));
    assertEquals(List.of(1), plan.takenOverBy(2));
    assertEquals(List.of(3), plan.takenOverBy(4));
  }

  @Test
  void vanillaPruningPrunesTheSameAdaptersAndSharesNone() {
    PearPlan pear = PearPlan.decide(SITES, IMPORTANCE, 0.5, true);
    PearPlan vanilla = PearPlan.decide(SITES, IMPORTANCE, 0.5, false);
    assertArrayEquals(pear.pruned(), vanilla.pruned());
    assertArrayEquals(new int[] {0, -1, 2, -1, 4, -1}, vanilla.uses());
  }

  @Test
  void routingRowsAreOneHotAtTheAdapterUsedOrZero() {
    PearPlan plan = PearPlan.decide(List.of("a", "b", "c"), new double[] {1, 3, 2}, 0.34,
        true);
    // one of three is pruned: a (the lowest), which takes b (the highest)
    assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0, 0, 0, 1}, plan.routing());
    PearPlan vanilla = PearPlan.decide(List.of("a", "b", "c"), new double[] {1, 3, 2}, 0.34,
        false);
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 0, 0, 1}, vanilla.routing());
    assertArrayEquals(new float[] {1, 0, 0, 1}, PearPlan.identityRouting(2));
  }

  @Test
  void morePrunedThanKeptDealsTheKeptAdaptersOutAgain() {
    // floor(6 * 0.67) = 4 pruned; kept p0, p2; pruned by rank p4, p5, p1, p3
    PearPlan plan = PearPlan.decide(SITES, IMPORTANCE, 0.67, true);
    assertEquals(List.of(0, 2), plan.kept());
    assertArrayEquals(new int[] {0, 0, 2, 2, 0, 2}, plan.uses());
    assertEquals(List.of(4, 1), plan.takenOverBy(0));
  }

  @Test
  void equalScoresKeepPositionOrder() {
    PearPlan plan = PearPlan.decide(List.of("a", "b", "c", "d"), new double[4], 0.5, true);
    assertEquals(List.of(0, 1), plan.kept());
    assertArrayEquals(new int[] {0, 1, 0, 1}, plan.uses());
  }

  @Test
  void pruneCountIsTheFloorAndKeepsOne() {
    assertEquals(12, PearPlan.pruneCount(24, 0.5));
    assertEquals(3, PearPlan.pruneCount(10, 0.3f));
    assertEquals(0, PearPlan.pruneCount(3, 0.2));
    assertEquals(1, PearPlan.pruneCount(2, 0.95));
  }

  @Test
  void ranksCountFromTheMostImportant() {
    PearPlan plan = PearPlan.decide(SITES, IMPORTANCE, 0.5, true);
    assertEquals(1, plan.rank(0));
    assertEquals(6, plan.rank(3));
  }

  @Test
  void aPlanWhereAPositionUsesAPrunedAdapterIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new PearPlan(List.of("a", "b"),
        new double[2], new boolean[] {true, false}, new int[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> new PearPlan(List.of("a", "b"),
        new double[2], new boolean[] {false, false}, new int[] {1, 1}));
  }
}
