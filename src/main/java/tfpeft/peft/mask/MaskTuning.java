package tfpeft.peft.mask;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.Encoders;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MaskGradientRule;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.ExportContext;
import tfpeft.peft.GradientContext;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.RunEndContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;
import tfpeft.peft.prograd.GradientProjection;

/**
 * Mask tuning as a method: AMT / MMT / PMT, plain, with gradient dropout regularity (R-AMT), with
 * the ablations of R-AMT's Table 5 (ProGrad's projection, AgreeGrad's sign agreement), or with the
 * distillation to the frozen model added to the loss (the AMT + KL ablation).
 *
 * <ul>
 *   <li>Only the real-valued masks train ({@code peft/mask/}); the backbone stays frozen.
 *   <li>The loss is the cross-entropy plus {@code l2} times the sum of the masks' L2 norms (plus
 *       {@code kl_loss_weight} times the distillation for the ablation).
 *   <li>With a gradient rule ({@link #rule}), the trainer's gradient of that loss is a, the
 *       gradient of the distillation to the frozen model's logits is b (a second gradient,
 *       {@link GradientContext#gradientsOf}), and the applied gradient is {@link GradientDropout}
 *       of the two with the configured leak, {@link GradientProjection} with lambda, or
 *       {@link GradientAgreement}.
 *   <li>The frozen model is built beside the masked one in the same graph (its sites bypass the
 *       masks), so its logits come with every step at the cost of one more forward pass.
 *   <li>After every epoch the share of weights zeroed is printed, written per layer into the
 *       epoch's line of {@code metrics.jsonl} (and TensorBoard) and kept in the method's
 *       checkpoint state.
 *   <li>When the run ends the final binary masks are written bit-packed to the run directory's
 *       {@value MaskArtifact#FILE}, which {@code tfpeft import --masks} and {@code inspect} read.
 * </ul>
 *
 * <p>The graph's entry points are found by their names: the images placeholder {@code images}
 * and token ids {@code text_ids} of the CLIP graph, and the trainer's {@code classifier/logits}
 * and {@code classifier/class_features}.
 */
public final class MaskTuning implements Method {
  /** Temperature of the distillation to the frozen model (R-AMT uses 1). */
  static final float TEMPERATURE = 1f;

  private final MaskConfig config;
  private final Consumer<String> log;
  private final List<JsonObject> history = new ArrayList<>();
  private MaskSite site;
  private Operand<TFloat32> teacherLogits;
  private Operand<TFloat32> distillation;
  private int gradientBuilds;

  public MaskTuning(MethodConfig method) {
    this(method.getMask(), System.err::println);
  }

  /** @param log where the per-epoch sparsity line goes */
  public MaskTuning(MaskConfig config, Consumer<String> log) {
    this.config = config;
    this.log = log;
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.MASK;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    site = new MaskSite(new MaskTargets(config.getGroup(), config.getEncoders()),
        config.getInit(), config.getThreshold());
    return List.of(site);
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return config.getEncoders() == Encoders.IMAGE ? ClassifierKind.TEXT_FEATURES
        : ClassifierKind.TEXT_ENCODER;
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (rule(config) == MaskGradientRule.PLAIN_GRADIENT && config.getKlLossWeight() == 0) {
      return;
    }
    Net net = ctx.net();
    Ops tf = net.tf();
    ClipModel.Spec spec = ClipModel.spec(ctx.config().getModel().getClip());
    Operand<TFloat32> images = output(net, "images");
    Operand<TFloat32> classes = output(net, "classifier/class_features");
    Operand<TFloat32> teacherImage = site.bypass(() ->
        ClipModel.imageFeatures(net, images, spec, 0f));
    if (config.getEncoders() != Encoders.IMAGE) {
      // the frozen text tower over the same prompts, class-major [C * T, ctx]
      Operand<TInt32> ids = output(net, "text_ids");
      Operand<TFloat32> text = site.bypass(() -> ClipModel.textFeatures(net, ids, spec));
      Operand<TFloat32> perPrompt = tf.reshape(ClipModel.normalize(tf, text),
          tf.constant(new long[] {ctx.numClasses(), -1, spec.embedDim()}));
      classes = ClipModel.normalize(tf, tf.math.mean(perPrompt, tf.constant(1)));
    }
    Operand<TFloat32> cos = tf.linalg.matMul(ClipModel.normalize(tf, teacherImage), classes,
        MatMul.transposeB(true));
    teacherLogits = net.named("peft/mask/frozen_logits").stopGradient(
        tf.math.mul(cos, tf.math.exp(ClipModel.logitScale(net))));
    distillation = net.named("peft/mask/distillation").identity(MaskObjective.distillation(tf,
        output(net, "classifier/logits"), teacherLogits, TEMPERATURE));
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix());
  }

  @Override
  public Operand<TFloat32> extraLoss(MethodContext ctx) {
    Ops tf = ctx.net().tf();
    Operand<TFloat32> extra = MaskObjective.l2(tf, site.maskVariables(), config.getL2());
    if (config.getKlLossWeight() > 0) {
      extra = tf.math.add(extra, tf.math.mul(distillation,
          tf.constant(config.getKlLossWeight())));
    }
    return ctx.net().named("peft/mask/extra_loss").identity(extra);
  }

  /**
   * The gradient rule: a = the given gradients, b = those of the distillation to the frozen
   * model; gradient dropout (R-AMT), ProGrad's projection or the sign agreement (Table 5).
   */
  @Override
  public List<Operand<TFloat32>> transformGradients(GradientContext ctx,
      List<ModelVariable> variables, List<Operand<TFloat32>> gradients) {
    MaskGradientRule rule = rule(config);
    if (rule == MaskGradientRule.PLAIN_GRADIENT) {
      return gradients;
    }
    List<Operand<TFloat32>> b = ctx.gradientsOf(distillation, variables,
        "peft/mask/distillation_gradients");
    Ops tf = ctx.net().tf();
    switch (rule) {
      case GRADIENT_DROPOUT:
        return GradientDropout.apply(ctx.net(), gradients, b, tf.constant(config.getLeak()));
      case PROJECTION:
        return GradientProjection.apply(tf, gradients, b,
            tf.constant(config.getProjectionLambda()));
      case AGREEMENT:
        List<Operand<TFloat32>> kept = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
          kept.add(GradientAgreement.apply(tf, gradients.get(i), b.get(i)));
        }
        return kept;
      default:
        throw new IllegalStateException("gradient rule " + rule);
    }
  }

  /**
   * The configured gradient rule: {@code gradient_rule} when it names one, else what the older
   * {@code gradient_dropout} says (its default true is R-AMT's gradient dropout). Presence
   * cannot decide: a resolved config has every field set.
   */
  public static MaskGradientRule rule(MaskConfig c) {
    if (c.getGradientRule() != MaskGradientRule.FROM_GRADIENT_DROPOUT) {
      return c.getGradientRule();
    }
    return c.getGradientDropout() ? MaskGradientRule.GRADIENT_DROPOUT
        : MaskGradientRule.PLAIN_GRADIENT;
  }

  @Override
  public EpochOutcome afterEpoch(EpochContext ctx) {
    MaskSparsity s = sparsity(ctx.session());
    JsonObject entry = new JsonObject();
    entry.addProperty("epoch", ctx.epoch());
    entry.addProperty("zeroed", s.total().zeroed());
    entry.addProperty("masked", s.total().total());
    JsonObject layers = new JsonObject();
    for (MaskSparsity.Count c : s.layers()) {
      layers.addProperty(c.name(), c.share());
    }
    entry.add("layers", layers);
    history.add(entry);
    JsonObject field = new JsonObject();
    field.addProperty("total", s.total().share());
    field.addProperty("zeroed", s.total().zeroed());
    field.addProperty("masked", s.total().total());
    field.add("layers", layers.deepCopy());
    ctx.metrics().field("sparsity", field);
    ctx.metrics().scalar("sparsity/total", s.total().share());
    for (MaskSparsity.Count c : s.layers()) {
      ctx.metrics().scalar("sparsity/" + c.name(), c.share());
    }
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "  masks: %.4f%% of %d weights zeroed;", 100 * s.total().share(), s.total().total()));
    for (MaskSparsity.Count c : s.layers()) {
      line.append(String.format(Locale.ROOT, " %s %.3f%%", c.name(), 100 * c.share()));
    }
    log.accept(line.toString());
    return EpochOutcome.UNCHANGED;
  }

  /** Leaves the final binary masks in the run directory ({@value MaskArtifact#FILE}). */
  @Override
  public void afterRun(RunEndContext ctx) {
    MaskArtifact masks = artifact(ctx.session());
    Path file = ctx.runDirectory().resolve(MaskArtifact.FILE);
    masks.write(file);
    ctx.log().accept(String.format(Locale.ROOT, "masks: %s (%s, %.3f MB bit-packed)", file,
        masks.sparsity().total().format(), masks.packedBytes() / 1048576.0));
  }

  /** The last epoch's sparsity, and the masks file. */
  @Override
  public JsonObject report() {
    JsonObject r = new JsonObject();
    if (!history.isEmpty()) {
      JsonObject last = history.get(history.size() - 1);
      JsonObject sparsity = new JsonObject();
      long zeroed = last.get("zeroed").getAsLong();
      long masked = last.get("masked").getAsLong();
      sparsity.addProperty("total", masked == 0 ? 0 : zeroed / (double) masked);
      sparsity.addProperty("zeroed", zeroed);
      sparsity.addProperty("masked", masked);
      sparsity.add("layers", last.get("layers").deepCopy());
      r.add("sparsity", sparsity);
    }
    r.addProperty("masks_file", MaskArtifact.FILE);
    return r;
  }

  @Override
  public JsonObject saveState() {
    JsonObject state = new JsonObject();
    JsonArray epochs = new JsonArray();
    history.forEach(epochs::add);
    state.add("sparsity", epochs);
    return state;
  }

  @Override
  public void restoreState(JsonObject state) {
    history.clear();
    if (state.has("sparsity")) {
      state.getAsJsonArray("sparsity").forEach(e -> history.add(e.getAsJsonObject()));
    }
  }

  /**
   * Binarizes for serving: each masked weight becomes W * 1[M > threshold] and its mask the
   * initial value, so the exported graph computes the same and the masks are no longer needed.
   */
  @Override
  public void exportTransform(ExportContext ctx) {
    for (MaskSite.Masked m : site.masked()) {
      ModelVariable w = ctx.net().variable(m.weightName());
      float[] weight = VariableValues.read(ctx.session(), w);
      float[] mask = VariableValues.read(ctx.session(), m.mask());
      float[] keep = MaskBits.unpack(MaskBits.pack(mask, config.getThreshold()), mask.length);
      for (int i = 0; i < weight.length; i++) {
        weight[i] *= keep[i];
      }
      VariableValues.assign(ctx.session(), w, weight);
      float[] ones = new float[mask.length];
      java.util.Arrays.fill(ones, config.getInit());
      VariableValues.assign(ctx.session(), m.mask(), ones);
    }
  }

  /** Binarized into the weights, the masks are all ones: the hooks are not needed. */
  @Override
  public boolean exportFolds(tfpeft.config.proto.RunConfig config) {
    return true;
  }

  /** The current share of weights zeroed. */
  public MaskSparsity sparsity(org.tensorflow.Session session) {
    return MaskSparsity.ofMasks(values(session), config.getThreshold());
  }

  /** The bit-packed masks as they are now. */
  public MaskArtifact artifact(org.tensorflow.Session session) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (MaskSite.Masked m : site.masked()) {
      shapes.put(m.site(), m.mask().shape().asArray());
    }
    return MaskArtifact.of(config, shapes, values(session));
  }

  private Map<String, float[]> values(org.tensorflow.Session session) {
    Map<String, float[]> v = new LinkedHashMap<>();
    for (MaskSite.Masked m : site.masked()) {
      v.put(m.site(), VariableValues.read(session, m.mask()));
    }
    return v;
  }

  /** The mask sites (after {@link #hooks}). */
  public MaskSite site() {
    return site;
  }

  /** The frozen model's logits (after {@link #afterBuild}), null when nothing needs them. */
  public Operand<TFloat32> teacherLogits() {
    return teacherLogits;
  }

  @SuppressWarnings("unchecked")
  private static <T extends org.tensorflow.types.family.TType> Operand<T> output(Net net,
      String name) {
    GraphOperation op = net.graph().operation(name);
    if (op == null) {
      throw new IllegalStateException("mask tuning needs the graph's " + name + " op");
    }
    return (Operand<T>) op.output(0);
  }

  /** Classes are scored by CLIP's text features of the class prompts (and distilled from them). */
  @Override
  public boolean needsClip() {
    return true;
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    if (config.getThreshold() >= config.getInit()) {
      throw problems.at("method.mask.threshold", "must be below method.mask.init ("
          + config.getInit() + ") so that every mask starts at 1");
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The binary mask 1[M > threshold] is what the model computes with: one bit per weight. */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.isHead(variable) ? StoredTensor.float32(StoredTensor.Role.HEAD)
        : StoredTensor.mask(config.getThreshold(),
            config.getInit());
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "folded into the weights, its hooks left out";
  }

  @Override
  public boolean trainsAt(String variable, com.google.gson.JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    MaskSummary.describe(out, trained, config.getThreshold());
    AdapterSummary.stateStorage(out, this, trained.trained(), "masks at 1 bit per weight");
  }
}
