package tfpeft.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.text.ClipTokenizer;

/**
 * CLIP's zero-shot classifier (Radford et al. 2021, section 3.1.4): each class is described by
 * one prompt per template, the prompts' text features are normalized and averaged, and the mean is
 * normalized again. The result is fed to {@link ClipGraph#classFeatures()}.
 */
public final class ClipClassifier {
  /** The prompt used when neither the config nor the dataset names templates. */
  public static final String DEFAULT_TEMPLATE = "a photo of a {}.";

  private ClipClassifier() {}

  /**
   * [classes][embed_dim] class features.
   *
   * @param templates prompts with "{}" for the class name
   * @param truncate cut over-long prompts at the context length instead of failing
   */
  public static float[][] classFeatures(Session s, ClipGraph g, ClipTokenizer tokenizer,
      List<String> classNames, List<String> templates, boolean truncate) {
    return classFeatures(s, g.textIds(), g.textFeatures(), tokenizer, classNames, templates,
        truncate);
  }

  /** As above, for any graph with a token-id input [M, ctx] and text features [M, E]. */
  public static float[][] classFeatures(Session s, Placeholder<TInt32> textIds,
      Operand<TFloat32> textFeatures, ClipTokenizer tokenizer, List<String> classNames,
      List<String> templates, boolean truncate) {
    if (templates.isEmpty()) {
      templates = List.of(DEFAULT_TEMPLATE);
    }
    int ctx = (int) textIds.shape().get(1);
    float[][] out = new float[classNames.size()][];
    for (int c = 0; c < classNames.size(); c++) {
      List<String> prompts = new ArrayList<>();
      for (String t : templates) {
        prompts.add(t.replace("{}", classNames.get(c)));
      }
      int[][] ids = tokenizer.tokenizeAll(prompts, ctx, truncate);
      int[] flat = new int[ids.length * ctx];
      for (int i = 0; i < ids.length; i++) {
        System.arraycopy(ids[i], 0, flat, i * ctx, ctx);
      }
      float[][] f;
      try (TInt32 t = TInt32.tensorOf(Shape.of(ids.length, ctx), DataBuffers.of(flat));
          var r = s.runner().feed(textIds, t).fetch(textFeatures).run()) {
        f = rows((TFloat32) r.get(0));
      }
      float[] mean = new float[f[0].length];
      for (float[] row : f) {
        float[] n = normalize(row);
        for (int j = 0; j < mean.length; j++) {
          mean[j] += n[j];
        }
      }
      out[c] = normalize(mean);
    }
    return out;
  }

  /** The class features as the [C, E] tensor {@link ClipGraph#classFeatures()} takes. */
  public static TFloat32 tensor(float[][] classFeatures) {
    int e = classFeatures[0].length;
    float[] flat = new float[classFeatures.length * e];
    for (int c = 0; c < classFeatures.length; c++) {
      System.arraycopy(classFeatures[c], 0, flat, c * e, e);
    }
    return TFloat32.tensorOf(Shape.of(classFeatures.length, e), DataBuffers.of(flat));
  }

  /** The rows of a rank-2 tensor. */
  public static float[][] rows(TFloat32 t) {
    int n = (int) t.shape().get(0);
    int d = (int) t.shape().get(1);
    float[] flat = new float[n * d];
    t.asRawTensor().data().asFloats().read(flat);
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * d, out[i], 0, d);
    }
    return out;
  }

  /** v / max(||v||, 1e-12), as torch.nn.functional.normalize. */
  public static float[] normalize(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    float inv = (float) (1 / Math.max(Math.sqrt(s), 1e-12));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }
}
