package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ClipClassifier;

/** The training-free cache model against hand computations. */
class TipCacheTest {
  static final float E = (float) Math.E;

  @Test
  void anImageEqualToACachedOneGetsWeightOneForItsLabel() {
    // keys (1, 0) of class 0 and (0, 2) -> (0, 1) of class 1; f = (1, 0): affinities 1 and 0
    TipCache cache = new TipCache(new float[][] {{1, 0}, {0, 2}}, new int[] {0, 1}, 2);
    float beta = 2f;
    assertArrayEquals(new float[] {1f, (float) Math.exp(-2)},
        cache.cacheLogits(new float[] {1, 0}, beta), 1e-6f);
    assertArrayEquals(new float[] {10f + 0.5f, 3f + 0.5f * (float) Math.exp(-2)},
        cache.logits(new float[] {1, 0}, new float[] {10f, 3f}, 0.5f, beta), 1e-5f);
  }

  @Test
  void cachedImagesOfOneClassAddUp() {
    TipCache cache = new TipCache(new float[][] {{1, 0}, {-1, 0}, {0, 1}}, new int[] {0, 0, 1},
        3);
    // affinities 1, -1, 0 with beta 1: exp(0) + exp(-2) for class 0, exp(-1) for 1, none for 2
    assertArrayEquals(new float[] {1 + 1 / (E * E), 1 / E, 0f},
        cache.cacheLogits(new float[] {1, 0}, 1f), 1e-6f);
  }

  @Test
  void alphaZeroLeavesTheClipLogits() {
    TipCache cache = new TipCache(new float[][] {{1, 1}}, new int[] {0}, 2);
    assertArrayEquals(new float[] {4f, -1f},
        cache.logits(new float[] {0.6f, 0.8f}, new float[] {4f, -1f}, 0f, 5f), 0f);
  }

  @Test
  void graphOpsAgreeWithTheHostComputation() {
    SplittableRandom rng = new SplittableRandom(2);
    int nk = 12;
    int e = 5;
    int c = 4;
    float[][] feats = new float[nk][e];
    int[] labels = new int[nk];
    for (int i = 0; i < nk; i++) {
      for (int j = 0; j < e; j++) {
        feats[i][j] = (float) rng.nextGaussian();
      }
      labels[i] = i % c;
    }
    TipCache cache = new TipCache(feats, labels, c);
    float[][] test = new float[3][];
    float[][] clip = new float[3][c];
    for (int n = 0; n < 3; n++) {
      float[] f = new float[e];
      for (int j = 0; j < e; j++) {
        f[j] = (float) rng.nextGaussian();
      }
      test[n] = ClipClassifier.normalize(f);
      for (int k = 0; k < c; k++) {
        clip[n][k] = (float) rng.nextGaussian() * 10;
      }
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> y = TipCache.logits(tf, tf.constant(test), tf.constant(cache.keys()),
          tf.constant(cache.values()), tf.constant(clip), tf.constant(1.7f), tf.constant(3f));
      try (Session s = new Session(g); var r = s.runner().fetch(y).run()) {
        float[][] got = ClipClassifier.rows((TFloat32) r.get(0));
        for (int n = 0; n < 3; n++) {
          assertArrayEquals(cache.logits(test[n], clip[n], 1.7f, 3f), got[n], 1e-4f);
        }
      }
    }
  }

  @Test
  void labelsOutsideTheClassesAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new TipCache(new float[][] {{1, 0}}, new int[] {2}, 2));
  }
}
