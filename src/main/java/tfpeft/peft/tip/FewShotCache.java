package tfpeft.peft.tip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.TipSearchSplit;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.peft.PrepareContext;

/**
 * The cache TIP-Adapter and Tip-Adapter-F start from, encoded from the run's few-shot training
 * images (official {@code build_cache_model}): each key the normalized mean of the image's
 * features over {@code views} passes with the training transform, each value its one-hot label.
 * An image that could not be read keeps a zero key and a zero value (label -1).
 *
 * @param keyValues the keys [NK * E], row-major, as the keys variable holds them
 * @param valueValues the values [NK * C]
 * @param labels each cached image's label, -1 where it could not be read
 * @param cache the readable images' cache, for the search
 */
record FewShotCache(float[] keyValues, float[] valueValues, int[] labels, TipCache cache) {

  /** The validation images the search scores: normalized features, zero-shot logits, labels. */
  record Validation(float[][] features, float[][] logits, int[] labels) {}

  static FewShotCache encode(PrepareContext ctx, Operand<TFloat32> imageFeatures, int views,
      int classes, int embed, String method) {
    int size = BuiltModel.imageSize(ctx.config().getModel());
    Split train = ctx.dataset().train();
    Preprocess augment = Transforms.build(ctx.config().getData().getTrainTransform(), size);
    float[][] sum = null;
    for (int pass = 0; pass < views; pass++) {
      float[][] f = ctx.runner().run(train, augment, pass, List.of(imageFeatures)).get(0);
      if (sum == null) {
        sum = f;
        continue;
      }
      for (int i = 0; i < f.length; i++) {
        if (f[i] != null) {
          for (int j = 0; j < f[i].length; j++) {
            sum[i][j] += f[i][j];
          }
        }
      }
    }
    List<float[]> kept = new ArrayList<>();
    List<Integer> keptLabels = new ArrayList<>();
    float[] keyValues = new float[train.size() * embed];
    float[] valueValues = new float[train.size() * classes];
    int[] labels = new int[train.size()];
    for (int i = 0; i < sum.length; i++) {
      labels[i] = -1;
      if (sum[i] == null) {
        continue;
      }
      for (int j = 0; j < embed; j++) {
        sum[i][j] /= views;
      }
      float[] key = ClipClassifier.normalize(sum[i]);
      int label = train.examples().get(i).label();
      System.arraycopy(key, 0, keyValues, i * embed, embed);
      valueValues[i * classes + label] = 1f;
      labels[i] = label;
      kept.add(sum[i]);
      keptLabels.add(label);
    }
    if (kept.isEmpty()) {
      throw TfpeftException.usage("method." + method + ": none of the " + train.size()
          + " training images could be read, so the cache is empty");
    }
    TipCache cache = new TipCache(kept.toArray(float[][]::new),
        keptLabels.stream().mapToInt(Integer::intValue).toArray(), classes);
    ctx.log().accept("cache: " + cache.size() + " images of " + classes + " classes, "
        + views + " augmented view" + (views == 1 ? "" : "s") + " each");
    return new FewShotCache(keyValues, valueValues, labels, cache);
  }

  /**
   * The images alpha and beta are searched on: the dataset's whole validation split, as the
   * official code searches ({@code search_hp} on {@code dataset.val}, which is not few-shot
   * sampled), or the run's few-shot validation.
   */
  static Validation validation(PrepareContext ctx, TipSearchSplit split,
      Operand<TFloat32> imageFeatures, Operand<TFloat32> zeroShotLogits, String method) {
    int size = BuiltModel.imageSize(ctx.config().getModel());
    boolean whole = split == TipSearchSplit.VALIDATION;
    Split val = whole ? DataSources.validation(ctx.config().getData(), ctx.config().getSeed(),
        new BadExamples(ctx.config().getData().getSkipBadExamples(),
            m -> ctx.log().accept("warning: " + m))) : ctx.dataset().val();
    if (val.isEmpty()) {
      throw TfpeftException.usage("method." + method + ".search: the run has no "
          + (whole ? "validation split to search alpha and beta on (search_split: VALIDATION "
              + "takes the data source's); give the source one, or set search_split: "
              + "FEW_SHOT_VALIDATION" : "few-shot validation split to search alpha and beta on; "
              + "set data.sampling.val_shots"));
    }
    List<float[][]> out = ctx.runner().run(val, Transforms.build(
        ctx.config().getData().getEvalTransform(), size), 0,
        List.of(imageFeatures, zeroShotLogits));
    List<float[]> features = new ArrayList<>();
    List<float[]> logits = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < val.size(); i++) {
      if (out.get(0)[i] != null) {
        features.add(ClipClassifier.normalize(out.get(0)[i]));
        logits.add(out.get(1)[i]);
        labels.add(val.examples().get(i).label());
      }
    }
    return new Validation(features.toArray(float[][]::new), logits.toArray(float[][]::new),
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The search's log line. */
  static String describe(int images, TipSearch.Result best) {
    return String.format(Locale.ROOT, "search on %d validation images: alpha %.3f, beta %.3f,"
        + " top-1 %.2f%%", images, best.alpha(), best.beta(), 100 * best.accuracy());
  }
}
