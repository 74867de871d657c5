package tfpeft.peft.baseline;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.LinearProbeSolver;
import tfpeft.config.proto.MethodConfig;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.model.BuiltModel;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.PrepareContext;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * Only a linear head trains, on the frozen backbone's features (for CLIP, on the L2-normalized
 * image features), by the run's optimizer.
 *
 * <p>Or, with {@code solver: LOGISTIC_REGRESSION}, linear-probe CLIP as CoOp reports it
 * (KaiyangZhou/CoOp, lpclip/feat_extractor.py and linear_probe.py, after CLIP's appendix A.3):
 * the image features of the training images (the evaluation transform, no augmentation; not
 * normalized, as clip_model.visual gives them) fit an L2-regularized multinomial logistic
 * regression ({@link LogisticRegression}) for each C of the official search
 * ({@link RegularizationSearch}) scored on the run's validation split, when the run starts
 * ({@link #prepare}); the chosen weights and intercepts go into the head, which then classifies
 * the un-normalized features. No training steps; the head is what the method trained, so
 * checkpoints, artifacts, evaluation and export hold it as they hold a trained head.
 */
public final class LinearProbe implements Method {
  /** The head CLIP's linear probe trains ({@code TrainGraph}'s clipHead). */
  static final String HEAD = "head/head/";

  private final LinearProbeConfig config;
  private Operand<TFloat32> imageFeatures;
  private JsonObject facts = new JsonObject();

  /** The trained head (the default config). */
  public LinearProbe() {
    this(MethodConfig.newBuilder().setLinearProbe(LinearProbeConfig.getDefaultInstance())
        .build());
  }

  public LinearProbe(MethodConfig m) {
    this.config = m.getLinearProbe();
  }

  private boolean regression() {
    return config.getSolver() == LinearProbeSolver.LOGISTIC_REGRESSION;
  }

  /** The logistic regression's scores: W x + b on the un-normalized image features. */
  @Override
  public Operand<TFloat32> transformLogits(MethodContext ctx, Operand<TFloat32> features,
      Operand<TFloat32> logits) {
    if (!regression()) {
      return logits;
    }
    Net net = ctx.net();
    imageFeatures = features;
    return net.named("head/regression_logits").math.add(net.tf().linalg.matMul(features,
        net.variable(HEAD + "weight").value()), net.variable(HEAD + "bias").value());
  }

  /** Fits the head by the search of C, unless a checkpoint or an artifact brought it. */
  @Override
  public void prepare(PrepareContext ctx) {
    if (!regression() || ctx.restored()) {
      return;
    }
    int size = BuiltModel.imageSize(ctx.config().getModel());
    Preprocess plain = Transforms.build(ctx.config().getData().getEvalTransform(), size);
    Examples train = examples(ctx, ctx.dataset().train(), plain);
    Examples val = examples(ctx, ctx.dataset().val(), plain);
    if (train.x().length == 0 || val.x().length == 0) {
      throw TfpeftException.usage("method.linear_probe.solver: LOGISTIC_REGRESSION fits on the "
          + "training split and searches C on the validation split; the "
          + (train.x().length == 0 ? "training" : "validation") + " split has no images");
    }
    int classes = ctx.dataset().numClasses();
    long start = System.nanoTime();
    RegularizationSearch.Result r = RegularizationSearch.run(new LogisticRegression(train.x(),
        train.y(), classes), val.x(), val.y(), config.getSearchSteps(),
        config.getMaxIterations());
    int dim = train.x()[0].length;
    float[] w = new float[dim * classes];
    for (int j = 0; j < dim; j++) {
      System.arraycopy(r.fit().weights()[j], 0, w, j * classes, classes);
    }
    VariableValues.assign(ctx.session(), ctx.net().variable(HEAD + "weight"), w);
    VariableValues.assign(ctx.session(), ctx.net().variable(HEAD + "bias"), r.fit().biases());
    int correct = r.fit().correct(val.x(), val.y());
    facts = new JsonObject();
    facts.addProperty("c", r.c());
    facts.addProperty("val_accuracy", (double) correct / val.x().length);
    facts.addProperty("fits", r.trials().size());
    ctx.log().accept(String.format(Locale.ROOT, "logistic regression: C %.4g of %d fits, "
        + "validation %d/%d, %d L-BFGS iterations, %.1f s", r.c(), r.trials().size(), correct,
        val.x().length, r.fit().iterations(), (System.nanoTime() - start) / 1e9));
  }

  /** The features [n][E] and labels of the readable images of {@code split}. */
  private Examples examples(PrepareContext ctx, Split split, Preprocess plain) {
    float[][] f = ctx.runner().run(split, plain, 0, List.of(imageFeatures)).get(0);
    List<float[]> x = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    for (int i = 0; i < f.length; i++) {
      if (f[i] != null) {
        x.add(f[i]);
        y.add(split.examples().get(i).label());
      }
    }
    return new Examples(x.toArray(float[][]::new), y.stream().mapToInt(Integer::intValue)
        .toArray());
  }

  private record Examples(float[][] x, int[] y) {}

  /** The head is fitted when the run starts, not trained by steps. */
  @Override
  public boolean trainsBySteps() {
    return !regression();
  }

  @Override
  public JsonObject report() {
    return facts.deepCopy();
  }

  @Override
  public JsonObject saveState() {
    return facts.deepCopy();
  }

  @Override
  public void restoreState(JsonObject state) {
    facts = state.deepCopy();
  }
  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.LINEAR_PROBE;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of("head/");
  }

  @Override
  public boolean needsClip() {
    return false;
  }

  /** The logistic regression classifies CLIP's image features. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    if (regression() && !run.getModel().hasClip()) {
      throw problems.at("method.linear_probe.solver", "LOGISTIC_REGRESSION is linear-probe "
          + "CLIP: it needs a CLIP backbone (model.clip); use TRAINED_HEAD on a ViT");
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** Only the head trains, and it is stored in float32. */
  @Override
  public StoredTensor stored(String variable) {
    if (!StoredTensor.isHead(variable)) {
      throw new IllegalStateException("linear_probe trains only head/, not " + variable);
    }
    return StoredTensor.float32(StoredTensor.Role.HEAD);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "nothing to fold";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return StoredTensor.isHead(variable);
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {}
}
