package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.KnowledgeCheckpoint;

/** DA and SBA arithmetic of the knowledge checkpoint. */
class PrunedKnowledgeTest {
  // a (importance 3) is kept and takes over b (importance 1)
  static final PearPlan PLAN = new PearPlan(List.of("a", "b"), new double[] {3, 1},
      new boolean[] {false, true}, new int[] {0, 0});
  static final float[][] M = {{1, 2}, {5, 6}};

  @Test
  void directAdditionAddsThePrunedAdapter() {
    float[][] out = PrunedKnowledge.absorb(PLAN, new PrunedKnowledge.Rule(KnowledgeCheckpoint.DA,
        false, 1, 1), M);
    assertArrayEquals(new float[] {6, 8}, out[0]);
    assertArrayEquals(new float[] {5, 6}, out[1]);
  }

  @Test
  void scoreBasedAggregationWithEqualHandSetWeightsIsTheMean() {
    float[][] out = PrunedKnowledge.absorb(PLAN, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.SBA, false, 1, 1), M);
    assertArrayEquals(new float[] {3, 4}, out[0], 1e-6f);
  }

  @Test
  void scoreBasedAggregationTakesHandSetWeights() {
    // (0.5 [1, 2] + 2 [5, 6]) / 2.5
    float[][] out = PrunedKnowledge.absorb(PLAN, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.SBA, false, 0.5, 2), M);
    assertArrayEquals(new float[] {10.5f / 2.5f, 13f / 2.5f}, out[0], 1e-6f);
  }

  @Test
  void scoreBasedAggregationCanWeighByImportance() {
    float[][] out = PrunedKnowledge.absorb(PLAN, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.SBA, true, 1, 1), M);
    // (3 [1, 2] + 1 [5, 6]) / 4
    assertArrayEquals(new float[] {2, 3}, out[0], 1e-6f);
  }

  @Test
  void zeroScoresFallBackToTheMean() {
    PearPlan zero = new PearPlan(PLAN.sites(), new double[2], PLAN.pruned(), PLAN.uses());
    float[][] out = PrunedKnowledge.absorb(zero, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.SBA, true, 1, 1), M);
    assertArrayEquals(new float[] {3, 4}, out[0], 1e-6f);
  }

  @Test
  void noneAndVanillaPruningChangeNothing() {
    assertArrayEquals(M, PrunedKnowledge.absorb(PLAN, PrunedKnowledge.Rule.NONE, M));
    PearPlan vanilla = new PearPlan(PLAN.sites(), PLAN.importance(), PLAN.pruned(),
        new int[] {0, -1});
    assertArrayEquals(M, PrunedKnowledge.absorb(vanilla, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.DA, false, 1, 1), M));
  }

  @Test
  void anAdapterTakingOverSeveralAbsorbsThemAll() {
    PearPlan plan = new PearPlan(List.of("a", "b", "c"), new double[] {2, 1, 1},
        new boolean[] {false, true, true}, new int[] {0, 0, 0});
    float[][] m = {{1}, {2}, {4}};
    assertArrayEquals(new float[] {7}, PrunedKnowledge.absorb(plan, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.DA, false, 1, 1), m)[0]);
    // (2 * 1 + 1 * 2 + 1 * 4) / 4
    assertArrayEquals(new float[] {2}, PrunedKnowledge.absorb(plan, new PrunedKnowledge.Rule(
        KnowledgeCheckpoint.SBA, true, 1, 1), m)[0], 1e-6f);
  }
}
