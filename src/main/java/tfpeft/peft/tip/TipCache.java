package tfpeft.peft.tip;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ClipClassifier;

/**
 * TIP-Adapter's cache model, training-free (Zhang et al. 2022, section 3.1): the keys are the
 * L2-normalized image features of the few-shot training images [NK, E], the values their one-hot
 * labels [NK, C]. A test image with normalized feature f gets
 *
 * <pre>  logits = clip_logits + alpha * exp(-beta (1 - f K^T)) V</pre>
 *
 * where clip_logits are CLIP's zero-shot logits of f, f K^T the cosine affinities to every cached
 * image (so 1 - f K^T is 0 for an identical image and 2 for an opposite one), beta their
 * sharpness and alpha the weight of the cache against CLIP's prior. Here clip_logits are the
 * backbone's own exp(logit_scale) * cos, which is TIP-Adapter's 100 * cos for CLIP ViT-B/16.
 */
public final class TipCache {
  private final float[][] keys;
  private final int[] labels;
  private final int numClasses;

  /**
   * @param features image features of the cached images, normalized here
   * @param labels their labels in [0, numClasses)
   */
  public TipCache(float[][] features, int[] labels, int numClasses) {
    if (features.length != labels.length) {
      throw new IllegalArgumentException(features.length + " features, " + labels.length
          + " labels");
    }
    if (features.length == 0) {
      throw new IllegalArgumentException("the cache needs at least one image");
    }
    this.keys = new float[features.length][];
    for (int i = 0; i < features.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("label " + labels[i] + " of cached image " + i
            + " is outside [0, " + numClasses + ")");
      }
      keys[i] = ClipClassifier.normalize(features[i]);
    }
    this.labels = labels.clone();
    this.numClasses = numClasses;
  }

  public int size() {
    return keys.length;
  }

  public int numClasses() {
    return numClasses;
  }

  public int dim() {
    return keys[0].length;
  }

  /** The normalized keys [NK][E]. */
  public float[][] keys() {
    float[][] out = new float[keys.length][];
    for (int i = 0; i < keys.length; i++) {
      out[i] = keys[i].clone();
    }
    return out;
  }

  /** The values: one-hot labels [NK][C]. */
  public float[][] values() {
    float[][] v = new float[labels.length][numClasses];
    for (int i = 0; i < labels.length; i++) {
      v[i][labels[i]] = 1f;
    }
    return v;
  }

  /** exp(-beta (1 - f K^T)) V of one normalized feature f: [C]. */
  public float[] cacheLogits(float[] f, float beta) {
    float[] out = new float[numClasses];
    for (int i = 0; i < keys.length; i++) {
      double affinity = 0;
      for (int j = 0; j < f.length; j++) {
        affinity += f[j] * keys[i][j];
      }
      out[labels[i]] += (float) Math.exp(-beta * (1 - affinity));
    }
    return out;
  }

  /** clip_logits + alpha * cacheLogits(f) for one normalized feature f. */
  public float[] logits(float[] f, float[] clipLogits, float alpha, float beta) {
    float[] cache = cacheLogits(f, beta);
    float[] out = new float[numClasses];
    for (int c = 0; c < numClasses; c++) {
      out[c] = clipLogits[c] + alpha * cache[c];
    }
    return out;
  }

  /**
   * The same as graph ops over a batch.
   *
   * @param features normalized image features [N, E]
   * @param keys {@link #keys()} as a tensor [NK, E]
   * @param values {@link #values()} as a tensor [NK, C]
   * @param clipLogits [N, C]
   */
  public static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features,
      Operand<TFloat32> keys, Operand<TFloat32> values, Operand<TFloat32> clipLogits,
      Operand<TFloat32> alpha, Operand<TFloat32> beta) {
    Operand<TFloat32> affinity = tf.linalg.matMul(features, keys, MatMul.transposeB(true));
    Operand<TFloat32> weights = tf.math.exp(tf.math.mul(tf.math.neg(beta),
        tf.math.sub(tf.constant(1f), affinity)));
    return tf.math.add(clipLogits, tf.math.mul(alpha, tf.linalg.matMul(weights, values)));
  }
}
