package tfpeft.train;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.Linear;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VitClassifier;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.RunResources;

/**
 * The graph of a run: the backbone with the method's hooks, the classifier the method asks for,
 * and the loss, cross-entropy against label-smoothed targets (PyTorch's: (1 - e) one-hot + e / C)
 * plus the method's own term. The training step is built on top by {@link TrainStep}.
 *
 * <p>For CLIP's text classifier the class features are the normalized, template-averaged text
 * features of the class prompts, computed in the graph from {@link #textIds()}; when the text
 * tower is frozen their value is computed once and fed in its place, so it does not run. A
 * classifier whose class features differ per image ({@link ClassifierKind#IMAGE_CONDITIONED})
 * takes its logits from the method, built on the image features and {@link #textIds()}, which
 * every call feeds.
 */
public final class TrainGraph {
  /** Graphs built in this process (see {@link #graphsBuilt}). */
  private static final java.util.concurrent.atomic.AtomicLong BUILT =
      new java.util.concurrent.atomic.AtomicLong();

  private final RunConfig config;
  private final Method method;
  private final MethodContext context;
  private final BuiltModel model;
  private final ClassifierKind classifier;
  private final Placeholder<TInt32> labels;
  private final Operand<TFloat32> classFeatures;
  private final Operand<TFloat32> logits;
  private final Operand<TFloat32> classificationLoss;
  private final Operand<TFloat32> loss;
  private final List<String> templates;

  private TrainGraph(RunConfig config, Method method, MethodContext context, BuiltModel model,
      ClassifierKind classifier, Placeholder<TInt32> labels, Operand<TFloat32> classFeatures,
      Operand<TFloat32> logits, Operand<TFloat32> classificationLoss, Operand<TFloat32> loss,
      List<String> templates) {
    this.config = config;
    this.method = method;
    this.context = context;
    this.model = model;
    this.classifier = classifier;
    this.labels = labels;
    this.classFeatures = classFeatures;
    this.logits = logits;
    this.classificationLoss = classificationLoss;
    this.loss = loss;
    this.templates = templates;
  }

  /**
   * Builds the graph of a graph-only caller (no run resources; the method is not asked for
   * templates).
   *
   * @param templates prompts per class of CLIP's text classifier (unused otherwise)
   */
  public static TrainGraph build(Graph g, RunConfig c, Method method, List<String> classNames,
      int templates) {
    return build(g, c, method, classNames, java.util.Collections.nCopies(Math.max(1, templates),
        ""), RunResources.of(c), false);
  }

  /**
   * As {@link #build(Graph, RunConfig, Method, List, int)}, with the resources the method reads
   * while the graph is built (a rebuilt run's tensors, so that a method sizes its variables by
   * them where the run's data is not at hand).
   */
  public static TrainGraph build(Graph g, RunConfig c, Method method, List<String> classNames,
      int templates, RunResources resources) {
    return build(g, c, method, classNames, java.util.Collections.nCopies(Math.max(1, templates),
        ""), resources, false);
  }

  /**
   * Builds the run's graph into {@code g}.
   *
   * @param templates the run's class-prompt templates (CLIP; empty for a ViT), which the method
   *     may check or replace: {@link #templates()} holds the ones the graph is built for
   */
  public static TrainGraph build(Graph g, RunConfig c, Method method, List<String> classNames,
      List<String> templates, RunResources resources) {
    return build(g, c, method, classNames, templates, resources, true);
  }

  /**
   * Builds the run's graph into {@code g}.
   *
   * @param runTemplates the class-prompt templates (CLIP; empty for a ViT)
   * @param askTemplates whether the method settles them ({@link Method#templates}): true for the
   *     run's own templates, false for the ones a checkpoint or artifact recorded as settled
   */
  public static TrainGraph build(Graph g, RunConfig c, Method method, List<String> classNames,
      List<String> runTemplates, RunResources resources, boolean askTemplates) {
    BUILT.incrementAndGet();
    Net net = new Net(g, c.getSeed());
    net.precision(c.getTraining().getPrecision());
    Ops tf = net.tf();
    MethodContext ctx = new MethodContext(c, net, classNames, resources);
    for (SiteHook h : method.hooks(ctx)) {
      net.addHook(h);
    }
    List<String> templates = askTemplates && c.getModel().hasClip()
        ? List.copyOf(method.templates(ctx, runTemplates)) : runTemplates;
    if (c.getModel().hasClip() && templates.isEmpty()) {
      throw new IllegalStateException("method." + method.name() + " left no templates");
    }
    ClassifierKind kind = method.classifier(ctx);
    if (kind != ClassifierKind.HEAD && !c.getModel().hasClip()) {
      throw TfpeftException.usage("method." + method.name() + ": a text classifier needs a CLIP"
          + " backbone (model.clip)");
    }
    BuiltModel model = BuiltModel.build(net, c.getModel(), classNames.size(),
        c.getTraining().getDropPath() > 0);
    Operand<TFloat32> classFeatures = null;
    Operand<TFloat32> logits;
    if (kind == ClassifierKind.HEAD) {
      logits = model.clip() == null ? model.logits()
          : clipHead(net, c, model.features(), classNames.size());
    } else if (kind == ClassifierKind.IMAGE_CONDITIONED) {
      logits = method.imageConditionedLogits(ctx, model.features(), model.clip().textIds(),
          Math.max(1, templates.size()));
    } else {
      classFeatures = method.classFeatures(ctx);
      if (classFeatures == null) {
        classFeatures = promptFeatures(net, model.clip().textFeatures(),
            Math.max(1, templates.size()), c.getModel().getClip().getEmbedDim());
      }
      logits = textLogits(net, model.features(), classFeatures);
    }
    logits = net.named("classifier/logits").identity(method.transformLogits(ctx,
        model.features(), logits));
    method.afterBuild(ctx);
    Placeholder<TInt32> labels = net.named("labels").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1)));
    Operand<TFloat32> ce = crossEntropy(net, logits, labels,
        c.getTraining().getLabelSmoothing());
    Operand<TFloat32> extra = method.extraLoss(ctx);
    Operand<TFloat32> loss = net.named("loss").identity(extra == null ? ce
        : tf.math.add(ce, extra));
    return new TrainGraph(c, method, ctx, model, kind, labels, classFeatures, logits, ce, loss,
        templates);
  }

  /**
   * The run's classifier as served, built into {@code net} on {@code images} [N, S, S, 3]: the
   * image side of {@link #build} (whatever hooks the caller attached to the net, no drop path),
   * and for a text classifier the class features {@code classFeatures} [C, E] (normalized, as
   * {@link #classFeatureValue} gives them) baked in as a constant, so the text tower is not
   * built; an {@link ClassifierKind#IMAGE_CONDITIONED} classifier instead carries the text tower
   * with the token ids of {@code prompts} as a constant. Returns the logits [N, C].
   */
  public static Operand<TFloat32> servingLogits(Net net, RunConfig c, ClassifierKind kind,
      int numClasses, Operand<TFloat32> images, float[][] classFeatures, ClassPrompts prompts,
      Method method, MethodContext ctx) {
    Operand<TFloat32> features;
    Operand<TFloat32> logits;
    if (!c.getModel().hasClip()) {
      if (kind != ClassifierKind.HEAD) {
        throw new IllegalArgumentException("a ViT classifies with its head");
      }
      VitClassifier.Outputs o = VitClassifier.apply(net, c.getModel().getVit(), numClasses,
          false, images);
      features = o.features();
      logits = o.logits();
    } else {
      features = ClipModel.imageFeatures(net, images, ClipModel.spec(c.getModel().getClip()),
          0f);
      if (kind == ClassifierKind.HEAD) {
        logits = clipHead(net, c, features, numClasses);
      } else if (kind == ClassifierKind.IMAGE_CONDITIONED) {
        if (prompts == null || prompts.classes() != numClasses) {
          throw new IllegalArgumentException("a per-image text classifier is served with the"
              + " prompts of its " + numClasses + " classes");
        }
        Operand<TInt32> ids = net.named("classifier/class_prompt_ids").constant(
            prompts.idRows());
        logits = method.imageConditionedLogits(ctx, features, ids,
            prompts.templates().size());
      } else {
        if (classFeatures == null || classFeatures.length != numClasses) {
          throw new IllegalArgumentException("a text classifier is served with the class"
              + " features of its " + numClasses + " classes");
        }
        logits = textLogits(net, features, net.named("classifier/class_features")
            .constant(classFeatures));
      }
    }
    return method.transformLogits(ctx, features, logits);
  }

  /**
   * Refuses base-to-new for a classifier whose scores belong to the trained classes: a linear
   * head has one output per base class and none for the new ones, so scoring new-class labels
   * against it would be a number without meaning.
   */
  public void checkBaseToNew() {
    if (config.getEval().getBaseToNew() && classifier == ClassifierKind.HEAD) {
      throw TfpeftException.usage("eval.base_to_new: method." + method.name() + " classifies "
          + "with a linear head trained on the base classes, which has no output for the new "
          + "classes; set eval.base_to_new: false (base-to-new needs a CLIP text classifier)");
    }
  }

  /** A linear head on CLIP's normalized image features. */
  private static Operand<TFloat32> clipHead(Net net, RunConfig c, Operand<TFloat32> features,
      int numClasses) {
    long e = c.getModel().getClip().getEmbedDim();
    return Linear.apply(net, "head/", "head", ClipModel.normalize(net.tf(), features), e,
        numClasses, true, Init.truncNormal(0.02f));
  }

  /** exp(logit_scale) * cos(image, class): class features [C, E] already normalized. */
  private static Operand<TFloat32> textLogits(Net net, Operand<TFloat32> imageFeatures,
      Operand<TFloat32> classFeatures) {
    Ops tf = net.tf();
    Operand<TFloat32> cos = tf.linalg.matMul(ClipModel.normalize(tf, imageFeatures),
        classFeatures, MatMul.transposeB(true));
    return tf.math.mul(cos, tf.math.exp(ClipModel.logitScale(net)));
  }

  /** [C, E]: per class, the normalized mean over templates of the normalized prompt features. */
  static Operand<TFloat32> promptFeatures(Net net, Operand<TFloat32> text, int templates,
      long embed) {
    Ops tf = net.tf();
    Operand<TFloat32> perPrompt = tf.reshape(ClipModel.normalize(tf, text),
        tf.constant(new long[] {-1, templates, embed}));
    return net.named("classifier/class_features").identity(
        ClipModel.normalize(tf, tf.math.mean(perPrompt, tf.constant(1))));
  }

  /** Mean cross-entropy against (1 - e) one-hot + e / C, C taken from the logits. */
  static Operand<TFloat32> crossEntropy(Net net, Operand<TFloat32> logits,
      Operand<TInt32> labels, float smoothing) {
    Ops tf = net.tf();
    Operand<TInt32> classes = tf.reshape(tf.slice(tf.shape(logits), tf.constant(new int[] {1}),
        tf.constant(new int[] {1})), tf.constant(new int[0]));
    Operand<TFloat32> off = tf.math.div(tf.constant(smoothing),
        tf.dtypes.cast(classes, TFloat32.class));
    Operand<TFloat32> on = tf.math.add(tf.constant(1f - smoothing), off);
    Operand<TFloat32> target = tf.oneHot(labels, classes, on, off);
    Operand<TFloat32> perImage = tf.nn.softmaxCrossEntropyWithLogits(logits, target).loss();
    return net.named("classification_loss").identity(tf.math.mean(perImage, tf.constant(0)));
  }

  /**
   * How many run graphs this process has built: opening a run builds one ({@link RunSession}),
   * and a command that opens it twice does the work twice.
   */
  public static long graphsBuilt() {
    return BUILT.get();
  }

  /**
   * The [C][E] class features of {@code prompts} under the current weights; asked only where
   * {@link #classFeaturesFed()}.
   */
  public float[][] classFeatureValue(Session s, ClassPrompts prompts) {
    if (classFeatures == null) {
      throw new IllegalStateException("method." + method.name() + " has no class features"
          + " computed once (" + classifier + ")");
    }
    try (var ids = prompts.tensor();
        var r = s.runner().feed(model.clip().textIds(), ids).fetch(classFeatures).run()) {
      return ClipClassifier.rows((TFloat32) r.get(0));
    }
  }

  /** The class-prompt templates the graph is built for (CLIP), as the method settled them. */
  public List<String> templates() {
    return templates;
  }

  public RunConfig config() {
    return config;
  }

  public Method method() {
    return method;
  }

  public MethodContext context() {
    return context;
  }

  public Net net() {
    return model.net();
  }

  public BuiltModel model() {
    return model;
  }

  public ClassifierKind classifier() {
    return classifier;
  }

  public boolean textClassifier() {
    return classifier != ClassifierKind.HEAD;
  }

  /**
   * Whether the classifier takes class features [C, E] computed once for the weights held
   * ({@link #classFeatureValue}): a text classifier, unless its class features differ per image.
   */
  public boolean classFeaturesFed() {
    return classifier == ClassifierKind.TEXT_FEATURES
        || classifier == ClassifierKind.TEXT_ENCODER;
  }

  public Placeholder<TFloat32> images() {
    return model.images();
  }

  public Placeholder<TInt32> labels() {
    return labels;
  }

  public Placeholder<TInt32> textIds() {
    return model.clip() == null ? null : model.clip().textIds();
  }

  /** The class features of a text classifier (fed or computed), null for a head. */
  public Operand<TFloat32> classFeatures() {
    return classFeatures;
  }

  public Operand<TFloat32> logits() {
    return logits;
  }

  public Operand<TFloat32> classificationLoss() {
    return classificationLoss;
  }

  public Operand<TFloat32> loss() {
    return loss;
  }

  /** Model variables (no optimizer slots), in creation order. */
  public List<ModelVariable> modelVariables() {
    return net().variables().stream().filter(v -> !v.name().startsWith("optimizer/")).toList();
  }

  /** The variables the method trains now. */
  public List<ModelVariable> trainable() {
    List<String> prefixes = method.trainablePrefixes(context);
    return modelVariables().stream()
        .filter(v -> prefixes.stream().anyMatch(p -> v.name().startsWith(p))).toList();
  }
}
