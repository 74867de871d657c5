package tfpeft.peft.tip;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TipAdapterFConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.PrepareContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * Tip-Adapter-F (Zhang et al., ECCV 2022, section 3.2): TIP-Adapter's cache ({@link TipCache})
 * with its keys trained. {@link #prepare} encodes the few-shot images into the cache as
 * TIP-Adapter does; the keys [NK, E] then train as the official linear layer
 * ({@code adapter.weight = cache_keys.t()}, affinity = f K^T with K no longer renormalized), the
 * values [NK, C] stay the one-hot labels, and the loss is the cross-entropy of
 * clip_logits + alpha exp(-beta (1 - f K^T)) V at the config's alpha and beta. After the last
 * epoch ({@link #afterEpoch}) alpha and beta are searched again with the trained keys on the
 * validation images, which were encoded once in {@link #prepare} (the image tower is frozen,
 * so their features and zero-shot logits do not change while the keys train).
 *
 * <p>The official script evaluates the TEST split after every epoch and keeps the epoch with the
 * best test accuracy; here the last epoch's keys are kept and only validation images choose
 * anything (alpha and beta).
 *
 * <p>Variables under {@code peft/tip_adapter_f/}: {@code keys} (trained), {@code values},
 * {@code alpha}, {@code beta}. An adapter artifact stores the keys; the labels of the cached
 * images and alpha and beta travel in its method state and are put back by
 * {@link #applyArtifactState}.
 */
public final class TipAdapterF implements Method {
  static final String KEYS = "keys";

  private final TipAdapterFConfig config;
  private ModelVariable keys;
  private ModelVariable values;
  private ModelVariable alpha;
  private ModelVariable beta;
  private Operand<TFloat32> imageFeatures;
  private Operand<TFloat32> zeroShotLogits;
  private FewShotCache.Validation validation;
  private JsonObject facts = new JsonObject();

  public TipAdapterF(MethodConfig method) {
    this.config = method.getTipAdapterF();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.TIP_ADAPTER_F;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.TEXT_FEATURES;
  }

  /** The keys alone: the values and CLIP stay frozen (official: only adapter.parameters()). */
  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix() + KEYS);
  }

  /** clip_logits + alpha exp(-beta (1 - f K^T)) V, with f the normalized image features. */
  @Override
  public Operand<TFloat32> transformLogits(MethodContext ctx, Operand<TFloat32> features,
      Operand<TFloat32> logits) {
    Net net = ctx.net();
    long embed = features.shape().get(1);
    long cached = cacheSize(ctx, embed);
    if (cached == 0) {
      throw TfpeftException.usage("method.tip_adapter_f: the training split is empty, so there"
          + " are no few-shot images to cache");
    }
    keys = net.variable(variablePrefix() + KEYS, new long[] {cached, embed}, Init.zeros());
    values = net.variable(variablePrefix() + "values", new long[] {cached, ctx.numClasses()},
        Init.zeros());
    alpha = net.variable(variablePrefix() + "alpha", new long[0],
        new Init.Constant(config.getAlpha()));
    beta = net.variable(variablePrefix() + "beta", new long[0],
        new Init.Constant(config.getBeta()));
    imageFeatures = features;
    zeroShotLogits = logits;
    return net.named(variablePrefix() + "logits").identity(TipCache.logits(net.tf(),
        ClipModel.normalize(net.tf(), features), keys.value(), values.value(), logits,
        alpha.value(), beta.value()));
  }

  /**
   * The number of cached images: the training split's size in a run; where the graph is built
   * without the data, the cache of the state it opens with (an artifact's) or of the checkpoint
   * it is rebuilt from (export).
   */
  private long cacheSize(MethodContext ctx, long embed) {
    if (ctx.resources().dataset() != null) {
      return ctx.dataset().train().size();
    }
    JsonObject state = ctx.resources().methodState();
    if (state != null && state.has("labels")) {
      return state.getAsJsonArray("labels").size();
    }
    float[] stored = ctx.pretrained(variablePrefix() + KEYS);
    if (stored == null) {
      return ctx.dataset().train().size(); // fails, saying the method needs the dataset
    }
    return stored.length / embed;
  }

  /**
   * Builds the cache (the keys' starting values) and sets the training alpha and beta, unless a
   * checkpoint brought them; encodes the validation images for the search after training
   * unless it has happened.
   */
  @Override
  public void prepare(PrepareContext ctx) {
    if (!ctx.restored()) {
      int classes = (int) values.shape().get(1);
      int embed = (int) keys.shape().get(1);
      FewShotCache built = FewShotCache.encode(ctx, imageFeatures, config.getAugmentViews(),
          classes, embed, name());
      facts = new JsonObject();
      facts.addProperty("alpha", config.getAlpha());
      facts.addProperty("beta", config.getBeta());
      facts.addProperty("cache_images", built.cache().size());
      facts.addProperty("augment_views", config.getAugmentViews());
      JsonArray labels = new JsonArray();
      for (int label : built.labels()) {
        labels.add(label);
      }
      facts.add("labels", labels);
      VariableValues.assign(ctx.session(), keys, built.keyValues());
      VariableValues.assign(ctx.session(), values, built.valueValues());
      VariableValues.assign(ctx.session(), alpha, new float[] {config.getAlpha()});
      VariableValues.assign(ctx.session(), beta, new float[] {config.getBeta()});
    }
    // a session without the run's data (an artifact on its base) only evaluates: no search
    if (config.getSearch() && !facts.has("search_split") && facts.has("labels")
        && ctx.dataset() != null) {
      validation = FewShotCache.validation(ctx, config.getSearchSplit(), imageFeatures,
          zeroShotLogits, name());
    }
  }

  /** After the last epoch: alpha and beta searched with the trained keys (official search_hp). */
  @Override
  public EpochOutcome afterEpoch(EpochContext ctx) {
    if (ctx.epoch() != ctx.epochs() || validation == null) {
      return EpochOutcome.UNCHANGED;
    }
    int embed = (int) keys.shape().get(1);
    float[] flat = VariableValues.read(ctx.session(), keys);
    float[][] rows = new float[flat.length / embed][embed];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(flat, i * embed, rows[i], 0, embed);
    }
    int[] labels = labels(facts);
    TipSearch.Result best = TipSearch.search(rows, labels, (int) values.shape().get(1),
        validation.features(), validation.logits(), validation.labels(),
        TipSearch.grid(config.getSearchAlphaMax(), config.getSearchAlphaSteps()),
        TipSearch.grid(config.getSearchBetaMax(), config.getSearchBetaSteps()));
    VariableValues.assign(ctx.session(), alpha, new float[] {best.alpha()});
    VariableValues.assign(ctx.session(), beta, new float[] {best.beta()});
    facts.addProperty("alpha", best.alpha());
    facts.addProperty("beta", best.beta());
    facts.addProperty("search_split", config.getSearchSplit().name());
    facts.addProperty("search_val_images", validation.labels().length);
    facts.addProperty("search_val_top1", best.accuracy());
    ctx.metrics().field("search_val_top1", best.accuracy());
    validation = null;
    return EpochOutcome.UNCHANGED;
  }

  private static int[] labels(JsonObject state) {
    JsonArray a = state.getAsJsonArray("labels");
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  @Override
  public JsonObject saveState() {
    return facts.deepCopy();
  }

  @Override
  public void restoreState(JsonObject state) {
    facts = state.deepCopy();
  }

  /** The cached images' labels and alpha and beta, from the artifact's state. */
  @Override
  public void applyArtifactState(Session session, Net net, JsonObject state, String where) {
    if (!state.has("labels") || !state.has("alpha") || !state.has("beta")) {
      throw TfpeftException.usage(where + ": method.tip_adapter_f's state lacks the cache's"
          + " labels, alpha or beta");
    }
    int[] labels = labels(state);
    ModelVariable values = net.variable(variablePrefix() + "values");
    int classes = (int) values.shape().get(1);
    float[] v = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= classes) {
        throw TfpeftException.usage(where + ": cached image " + i + " has label " + labels[i]
            + ", outside the artifact's " + classes + " classes");
      }
      if (labels[i] >= 0) {
        v[i * classes + labels[i]] = 1f;
      }
    }
    VariableValues.assign(session, values, v);
    VariableValues.assign(session, net.variable(variablePrefix() + "alpha"),
        new float[] {state.get("alpha").getAsFloat()});
    VariableValues.assign(session, net.variable(variablePrefix() + "beta"),
        new float[] {state.get("beta").getAsFloat()});
    facts = state.deepCopy();
  }

  /** alpha, beta, the cache's size and, after the search, its validation accuracy. */
  @Override
  public JsonObject report() {
    JsonObject r = facts.deepCopy();
    r.remove("labels");
    return r;
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
      throw problems.at("eval.base_to_new", "method.tip_adapter_f: the cache's values are the "
          + "training classes' labels, so it has nothing to say about new classes; set "
          + "eval.base_to_new: false");
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The trained keys, in float32. */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.adapter(0);
  }

  /**
   * The keys, NK x E float32 values, NK the cached images: known from an artifact's state (its
   * labels), not from the config alone (NK is the few-shot training split's size).
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    if (!model.hasClip() || state == null || !state.has("labels")) {
      return Optional.empty();
    }
    long n = (long) state.getAsJsonArray("labels").size() * model.getClip().getEmbedDim();
    return Optional.of(new AdapterAccounting(1, 1, n, AdapterStorage.matrixBytes(n, 0), 0,
        "cache keys"));
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return variable.equals(variablePrefix() + KEYS);
  }

  /** The cache (trained keys), alpha and beta as the run left them, and the keys' size. */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    long[] shape = trained.trained().get(variablePrefix() + KEYS);
    JsonObject state = trained.state();
    if (shape == null || state == null || !state.has("alpha")) {
      return;
    }
    String how = state.has("search_split") ? String.format(Locale.ROOT,
        " (searched after training on %d images of the %s split, top-1 %.2f%%)",
        state.get("search_val_images").getAsInt(), state.get("search_split").getAsString(),
        100 * state.get("search_val_top1").getAsDouble()) : " (from the config)";
    out.line(String.format(Locale.ROOT, "  cache: %d trained keys of width %d, alpha %.4g,"
        + " beta %.4g%s", shape[0], shape[1], state.get("alpha").getAsDouble(),
        state.get("beta").getAsDouble(), how));
    JsonObject summary = state.deepCopy();
    summary.remove("labels");
    out.put("tip_adapter_f", summary);
    long bytes = AdapterStorage.matrixBytes(shape[0] * shape[1], 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: the cache keys, %,d bytes = %s MB"
        + " (float32; the labels, alpha and beta in the method state)", bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "its cache (trained keys, fixed values) kept in the served graph";
  }
}
