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

  @Test
  void trainedKeysAreScoredAsTheyAreNotNormalizedAgain() {
    // key 1 trained to twice its length: affinity 2 to image 1, so exp(-beta (1 - 2)) = e
    float[][] keys = {{1, 0}, {0, 2}};
    float[][] val = {{0, 1}};
    float[][] clip = {{2.2f, 0f}};
    // alpha 1: class 1 gets e = 2.718 > 2.2 + e^-1 with the longer key, 1 if it were normalized
    TipSearch.Result raw = TipSearch.search(keys, new int[] {0, 1}, 2, val, clip, new int[] {1},
        new float[] {1f}, new float[] {1f});
    assertEquals(1.0, raw.accuracy(), 1e-12);
    TipCache normalized = new TipCache(keys, new int[] {0, 1}, 2);
    assertEquals(0.0, TipSearch.search(normalized, val, clip, new int[] {1}, new float[] {1f},
        new float[] {1f}).accuracy(), 1e-12);
  }

  @Test
  void aKeyWithoutALabelAddsToNoClass() {
    float[][] keys = {{0, 1}, {0, 1}};
    float[][] val = {{0, 1}};
    float[][] clip = {{1f, 0f}};
    // the only key that matches the image has no label (an unread image): CLIP's choice stands
    TipSearch.Result r = TipSearch.search(keys, new int[] {-1, 0}, 2, val, clip, new int[] {1},
        new float[] {5f}, new float[] {1f});
    assertEquals(0.0, r.accuracy(), 1e-12);
  }
}
