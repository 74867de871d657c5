package tfpeft.peft.tip;

/**
 * TIP-Adapter's hyper-parameter search (Zhang et al. 2022, section 4.1): alpha and beta are picked
 * on the validation split by accuracy over a grid, beta in the outer loop, the first best pair
 * kept. The affinities of the validation images to the cache are computed once; each beta costs
 * one exp per (image, cached image), each alpha one pass over the logits.
 */
public final class TipSearch {
  /** The chosen pair and its validation accuracy. */
  public record Result(float alpha, float beta, double accuracy) {}

  private TipSearch() {}

  /** {@code steps} values from 0.1 in even steps towards {@code max}: 0.1 + i (max - 0.1) / n. */
  public static float[] grid(float max, int steps) {
    float[] g = new float[steps];
    for (int i = 0; i < steps; i++) {
      g[i] = (float) (i * (max - 0.1) / steps + 0.1);
    }
    return g;
  }

  /**
   * @param features normalized validation features [N][E]
   * @param clipLogits their zero-shot logits [N][C]
   * @param labels their labels [N]
   */
  public static Result search(TipCache cache, float[][] features, float[][] clipLogits,
      int[] labels, float[] alphas, float[] betas) {
    float[][] values = cache.values();
    int[] cached = new int[values.length];
    for (int k = 0; k < values.length; k++) {
      for (int j = 0; j < values[k].length; j++) {
        if (values[k][j] == 1f) {
          cached[k] = j;
        }
      }
    }
    return search(cache.keys(), cached, cache.numClasses(), features, clipLogits, labels,
        alphas, betas);
  }

  /**
   * The search over keys as they are, not normalized again: Tip-Adapter-F's trained keys (its
   * official {@code search_hp} scores {@code adapter(features)}, the trained linear layer).
   *
   * @param keys the cache keys [NK][E]
   * @param cachedLabels each key's class, or -1 for a key that adds to no class (an unread image)
   * @param features normalized validation features [N][E]
   * @param clipLogits their zero-shot logits [N][C]
   * @param labels their labels [N]
   */
  public static Result search(float[][] keys, int[] cachedLabels, int numClasses,
      float[][] features, float[][] clipLogits, int[] labels, float[] alphas, float[] betas) {
    int n = features.length;
    float[][] affinity = new float[n][keys.length];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < keys.length; k++) {
        double dot = 0;
        for (int j = 0; j < features[i].length; j++) {
          dot += features[i][j] * keys[k][j];
        }
        affinity[i][k] = (float) dot;
      }
    }
    Result best = null;
    int c = numClasses;
    for (float beta : betas) {
      float[][] cacheLogits = new float[n][c];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < keys.length; k++) {
          if (cachedLabels[k] >= 0) {
            cacheLogits[i][cachedLabels[k]] += (float) Math.exp(-beta * (1 - affinity[i][k]));
          }
        }
      }
      for (float alpha : alphas) {
        int correct = 0;
        for (int i = 0; i < n; i++) {
          int arg = 0;
          float top = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < c; j++) {
            float v = clipLogits[i][j] + alpha * cacheLogits[i][j];
            if (v > top) {
              top = v;
              arg = j;
            }
          }
          if (arg == labels[i]) {
            correct++;
          }
        }
        double acc = n == 0 ? 0 : correct / (double) n;
        if (best == null || acc > best.accuracy()) {
          best = new Result(alpha, beta, acc);
        }
      }
    }
    return best;
  }
}
