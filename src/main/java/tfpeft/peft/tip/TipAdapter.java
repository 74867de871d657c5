package tfpeft.peft.tip;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TipAdapterConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.MethodContext;
import tfpeft.peft.NoArtifactMethod;
import tfpeft.peft.PrepareContext;
import tfpeft.peft.TrainedState;

/**
 * TIP-Adapter as a method, training-free: nothing trains; once the pretrained weights are in the
 * session ({@link #prepare}) the few-shot training images are encoded into the cache and alpha
 * and beta are set (from the config, or searched on the dataset's validation split), and the
 * classifier's logits become CLIP's zero-shot logits plus alpha times the cache logits
 * ({@link TipCache}).
 *
 * <p>The cache is four variables under {@code peft/tip_adapter/}: {@code keys} [NK, E] (the
 * normalized features), {@code values} [NK, C] (one-hot labels), {@code alpha} and {@code beta}
 * (scalars). None trains, but checkpoints, evaluation and export carry them as they carry trained
 * weights. NK is the size of the training split; an image that could not be read (skipped bad
 * data) keeps a zero key and a zero value, which adds nothing to any class.
 */
public final class TipAdapter extends NoArtifactMethod {
  private final TipAdapterConfig config;
  private ModelVariable keys;
  private ModelVariable values;
  private ModelVariable alpha;
  private ModelVariable beta;
  private Operand<TFloat32> imageFeatures;
  private Operand<TFloat32> zeroShotLogits;
  private JsonObject facts = new JsonObject();

  public TipAdapter(MethodConfig method) {
    super("keeps a feature cache, not trained variables");
    this.config = method.getTipAdapter();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.TIP_ADAPTER;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.TEXT_FEATURES;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of();
  }

  /** clip_logits + alpha exp(-beta (1 - f K^T)) V, with f the normalized image features. */
  @Override
  public Operand<TFloat32> transformLogits(MethodContext ctx, Operand<TFloat32> features,
      Operand<TFloat32> logits) {
    Net net = ctx.net();
    Ops tf = net.tf();
    long embed = features.shape().get(1);
    long cached = cacheSize(ctx, embed);
    if (cached == 0) {
      throw TfpeftException.usage("method.tip_adapter: the training split is empty, so there "
          + "are no few-shot images to cache");
    }
    keys = net.variable(variablePrefix() + "keys", new long[] {cached, embed}, Init.zeros());
    values = net.variable(variablePrefix() + "values", new long[] {cached, ctx.numClasses()},
        Init.zeros());
    alpha = net.variable(variablePrefix() + "alpha", new long[0],
        new Init.Constant(config.getAlpha()));
    beta = net.variable(variablePrefix() + "beta", new long[0],
        new Init.Constant(config.getBeta()));
    imageFeatures = features;
    zeroShotLogits = logits;
    return net.named(variablePrefix() + "logits").identity(TipCache.logits(tf,
        ClipModel.normalize(tf, features), keys.value(), values.value(), logits, alpha.value(),
        beta.value()));
  }

  /**
   * The number of cached images: the training split's size in a run; where a graph is rebuilt
   * without the data (export), the size of the cache it is rebuilt with.
   */
  private long cacheSize(MethodContext ctx, long embed) {
    if (ctx.resources().dataset() != null) {
      return ctx.dataset().train().size();
    }
    float[] stored = ctx.pretrained(variablePrefix() + "keys");
    if (stored == null) {
      return ctx.dataset().train().size(); // fails, saying the method needs the dataset
    }
    return stored.length / embed;
  }

  /** Builds the cache and sets alpha and beta, unless a checkpoint brought them. */
  @Override
  public void prepare(PrepareContext ctx) {
    if (ctx.restored()) {
      return;
    }
    int classes = (int) values.shape().get(1);
    int embed = (int) keys.shape().get(1);
    FewShotCache built = FewShotCache.encode(ctx, imageFeatures, config.getAugmentViews(),
        classes, embed, name());
    TipCache cache = built.cache();
    float a = config.getAlpha();
    float b = config.getBeta();
    facts = new JsonObject();
    if (config.getSearch()) {
      TipSearch.Result best = search(ctx, cache);
      a = best.alpha();
      b = best.beta();
      facts.addProperty("search_val_top1", best.accuracy());
    }
    facts.addProperty("alpha", a);
    facts.addProperty("beta", b);
    facts.addProperty("cache_images", cache.size());
    facts.addProperty("augment_views", config.getAugmentViews());
    VariableValues.assign(ctx.session(), keys, built.keyValues());
    VariableValues.assign(ctx.session(), values, built.valueValues());
    VariableValues.assign(ctx.session(), alpha, new float[] {a});
    VariableValues.assign(ctx.session(), beta, new float[] {b});
  }

  /** TIP-Adapter's search over the config's grid, on search_split ({@link FewShotCache}). */
  private TipSearch.Result search(PrepareContext ctx, TipCache cache) {
    FewShotCache.Validation val = FewShotCache.validation(ctx, config.getSearchSplit(),
        imageFeatures, zeroShotLogits, name());
    TipSearch.Result best = TipSearch.search(cache, val.features(), val.logits(), val.labels(),
        TipSearch.grid(config.getSearchAlphaMax(), config.getSearchAlphaSteps()),
        TipSearch.grid(config.getSearchBetaMax(), config.getSearchBetaSteps()));
    ctx.log().accept(FewShotCache.describe(val.labels().length, best));
    facts.addProperty("search_split", config.getSearchSplit().name());
    facts.addProperty("search_val_images", val.labels().length);
    return best;
  }

  @Override
  public JsonObject saveState() {
    return facts.deepCopy();
  }

  @Override
  public void restoreState(JsonObject state) {
    facts = state.deepCopy();
  }

  /** alpha, beta, the cache's size and, after a search, its validation accuracy. */
  @Override
  public JsonObject report() {
    return facts.deepCopy();
  }

  /** The cache's logits are added to CLIP's zero-shot logits. */
  @Override
  public boolean needsClip() {
    return true;
  }

  /** The cache's values are the training classes' one-hot labels: nothing for new classes. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    if (run.getEval().getBaseToNew()) {
      throw problems.at("eval.base_to_new", "method.tip_adapter: the cache's values are the "
          + "training classes' labels, so it has nothing to say about new classes; set "
          + "eval.base_to_new: false");
    }
  }

  /** The cache is computed from the data, not trained. */
  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return false;
  }

  /**
   * Alpha and beta as the run set them (the method state; after a search these differ from the
   * config's, which the search leaves unused).
   */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    JsonObject state = trained.state();
    if (state == null || !state.has("alpha")) {
      return;
    }
    double a = state.get("alpha").getAsDouble();
    double b = state.get("beta").getAsDouble();
    String how = state.has("search_split") ? String.format(Locale.ROOT,
        " (searched on %d images of the %s split, top-1 %.2f%%)",
        state.get("search_val_images").getAsInt(), state.get("search_split").getAsString(),
        100 * state.get("search_val_top1").getAsDouble()) : " (from the config)";
    out.line(String.format(Locale.ROOT, "  cache: alpha %.4g, beta %.4g%s", a, b, how));
    out.put("tip_adapter", state.deepCopy());
  }
}
