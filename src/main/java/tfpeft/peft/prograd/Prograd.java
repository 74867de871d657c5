package tfpeft.peft.prograd;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.ProgradConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.Distillation;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.ExportContext;
import tfpeft.peft.GradientContext;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.PrepareContext;
import tfpeft.peft.RunEndContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;
import tfpeft.peft.prompt.TextPromptMethod;

/**
 * ProGrad as a method: CoOp's learned context, trained on the cross-entropy alone with its
 * gradient projected away from the zero-shot distillation's where the two conflict
 * ({@link GradientProjection}).
 *
 * <ul>
 *   <li>Everything CoOp answers (its context {@code peft/coop/ctx}, prompts, storage, export,
 *       inspection) is CoOp's: a ProGrad run's context is a CoOp context, and its artifact
 *       applies like one.
 *   <li>The zero-shot teacher is built beside the prompted model in the same graph: the text
 *       tower with the context's hooks switched off, over the run's hand-crafted templates (the
 *       model's, else the dataset's, else "a photo of a {}."), and the image features the
 *       prompted model already computes (CoOp leaves the image tower alone). Its logits get no
 *       gradient.
 *   <li>The distillation is {@link Distillation#softCrossEntropy}: the teacher's softmax against
 *       the prompted model's log-softmax at temperature T, times T^2, as the official
 *       {@code ProGradLoss}. It is only differentiated ({@link GradientContext#gradientsOf}),
 *       never added to the loss.
 * </ul>
 */
public final class Prograd implements Method {
  private final ProgradConfig config;
  private final TextPromptMethod coop;
  private List<String> zeroShotTemplates = List.of();
  private Operand<TFloat32> imageFeatures;
  private Operand<TFloat32> teacherLogits;
  private Operand<TFloat32> distillation;

  public Prograd(MethodConfig method) {
    this(method.getPrograd());
  }

  public Prograd(ProgradConfig config) {
    this.config = config;
    this.coop = TextPromptMethod.coop(config.getPrompt());
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.PROGRAD;
  }

  /** CoOp's: the context is {@code peft/coop/ctx}, whatever trains it. */
  @Override
  public String variablePrefix() {
    return coop.variablePrefix();
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    return coop.hooks(ctx);
  }

  /** CoOp's prompt for the classifier; the run's own templates become the teacher's. */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    zeroShotTemplates = List.copyOf(templates);
    return coop.templates(ctx, templates);
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return coop.classifier(ctx);
  }

  @Override
  public Operand<TFloat32> classFeatures(MethodContext ctx) {
    return coop.classFeatures(ctx);
  }

  /** Keeps the image features: the teacher scores the same ones. */
  @Override
  public Operand<TFloat32> transformLogits(MethodContext ctx, Operand<TFloat32> imageFeatures,
      Operand<TFloat32> logits) {
    this.imageFeatures = imageFeatures;
    return coop.transformLogits(ctx, imageFeatures, logits);
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    coop.afterBuild(ctx);
    Net net = ctx.net();
    Ops tf = net.tf();
    Operand<TFloat32> classes = coop.handCraftedClassFeatures(ctx, zeroShotTemplates,
        "peft/prograd/zero_shot_ids");
    Operand<TFloat32> cos = tf.linalg.matMul(ClipModel.normalize(tf, imageFeatures), classes,
        MatMul.transposeB(true));
    teacherLogits = net.named("peft/prograd/zero_shot_logits").stopGradient(
        tf.math.mul(cos, tf.math.exp(ClipModel.logitScale(net))));
    distillation = net.named("peft/prograd/distillation").identity(Distillation.softCrossEntropy(
        tf, net.graph().operation("classifier/logits").output(0), teacherLogits,
        config.getTemperature()));
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return coop.trainablePrefixes(ctx);
  }

  @Override
  public boolean weightDecays(String variable) {
    return coop.weightDecays(variable);
  }

  /** None: the distillation directs the gradient and is not minimized (the official loss). */
  @Override
  public Operand<TFloat32> extraLoss(MethodContext ctx) {
    return coop.extraLoss(ctx);
  }

  @Override
  public void prepare(PrepareContext ctx) {
    coop.prepare(ctx);
  }

  /** G_ce projected against G_kl, per trained tensor (Eq. 6). */
  @Override
  public List<Operand<TFloat32>> transformGradients(GradientContext ctx,
      List<ModelVariable> variables, List<Operand<TFloat32>> gradients) {
    List<Operand<TFloat32>> general = ctx.gradientsOf(distillation, variables,
        "peft/prograd/distillation_gradients");
    Ops tf = ctx.net().tf();
    return GradientProjection.apply(tf, gradients, general, tf.constant(config.getLambda()));
  }

  @Override
  public EpochOutcome afterEpoch(EpochContext ctx) {
    return coop.afterEpoch(ctx);
  }

  @Override
  public void afterRun(RunEndContext ctx) {
    coop.afterRun(ctx);
  }

  @Override
  public JsonObject report() {
    JsonObject r = coop.report();
    r.addProperty("lambda", config.getLambda());
    r.addProperty("temperature", config.getTemperature());
    return r;
  }

  @Override
  public JsonObject saveState() {
    return coop.saveState();
  }

  @Override
  public void restoreState(JsonObject state) {
    coop.restoreState(state);
  }

  @Override
  public void applyArtifactState(Session session, Net net, JsonObject state, String where) {
    coop.applyArtifactState(session, net, state, where);
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    coop.exportTransform(ctx);
  }

  @Override
  public boolean exportFolds(RunConfig config) {
    return coop.exportFolds(config);
  }

  /** The zero-shot teacher and the learned context both need CLIP's text tower. */
  @Override
  public boolean needsClip() {
    return true;
  }

  /** CoOp's checks, placed at {@code method.prograd.prompt.*}. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    coop.checkConfig(run, (path, message) -> problems.at(
        path.replaceFirst("^method\\.coop\\.", "method.prograd.prompt."), message));
  }

  @Override
  public Optional<String> artifactRefusal() {
    return coop.artifactRefusal();
  }

  @Override
  public StoredTensor stored(String variable) {
    return coop.stored(variable);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return coop.accounting(model, state);
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return coop.trainsAt(variable, state);
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    coop.inspect(trained, out);
    out.line(String.format(Locale.ROOT, "  trained with ProGrad: lambda %s, temperature %s",
        config.getLambda(), config.getTemperature()));
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return coop.foldingDescription(config);
  }

  /** The zero-shot teacher's logits (after {@link #afterBuild}). */
  public Operand<TFloat32> teacherLogits() {
    return teacherLogits;
  }
}
