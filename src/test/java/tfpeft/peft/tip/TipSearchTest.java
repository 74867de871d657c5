package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The grid and the choice of alpha and beta on validation images. */
class TipSearchTest {
  @Test
  void theGridStartsAtOneTenthInEvenSteps() {
    assertArrayEquals(new float[] {0.1f, 1.05f, 2f, 2.95f}, TipSearch.grid(3.9f, 4), 1e-6f);
  }

  @Test
  void theCacheIsWeightedUpWhereClipIsWrong() {
    // CLIP prefers class 0 for both images; the cache knows image 1 is class 1
    TipCache cache = new TipCache(new float[][] {{1, 0}, {0, 1}}, new int[] {0, 1}, 2);
    float[][] val = {{1, 0}, {0, 1}};
    float[][] clip = {{2f, 0f}, {1.5f, 1f}};
    TipSearch.Result none = TipSearch.search(cache, val, clip, new int[] {0, 1},
        new float[] {0f}, new float[] {1f});
    assertEquals(0.5, none.accuracy(), 1e-12);
    // alpha 1 gives image 1: (1.5 + e^-1, 1 + 1): class 1 wins
    TipSearch.Result best = TipSearch.search(cache, val, clip, new int[] {0, 1},
        new float[] {0f, 0.25f, 1f, 2f}, new float[] {1f});
    assertEquals(1.0, best.accuracy(), 1e-12);
    assertEquals(1f, best.alpha());
  }
}
