package tfpeft.export;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ExportContext;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ClassPrompts;
import tfpeft.train.RunSession;
import tfpeft.train.TrainGraph;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * A trained model opened for serving: a {@link RunSession} of its run (the graph as it was
 * trained, with the same method, hooks, class names and classifier), either holding every
 * variable from a run's checkpoint ({@code tfpeft export RUN}) or an adapter artifact applied to
 * its base ({@code tfpeft export --adapter}, the session the artifact was opened in, so the graph
 * is built once).
 *
 * <p>It gives the trained graph's logits (the reference an export is checked against), the class
 * features a CLIP text classifier scores with (computed once with the trained weights, prompts
 * included), the variable values with the method's {@link Method#exportTransform} applied, and
 * the {@link ServingExport.Classifier} that builds the served graph. That graph is built by the
 * same code as the trained one, from a fresh instance of the method with the same state: the
 * method's hooks are attached unless {@link Method#exportFolds} says the transform made them
 * unnecessary, and a text classifier's class features are a constant, so serving runs only the
 * image tower (with whatever image-side prompts the method adds).
 */
public final class RunModel implements AutoCloseable {
  private final RunConfig config;
  private final MethodRegistry registry;
  private final JsonObject methodState;
  private final RunSession session;
  private final boolean ownsSession;
  private final float[][] classFeatures;
  private Map<String, float[]> folded;

  private RunModel(RunConfig config, MethodRegistry registry, JsonObject methodState,
      RunSession session, boolean ownsSession) {
    this.config = config;
    this.registry = registry;
    this.methodState = methodState;
    this.session = session;
    this.ownsSession = ownsSession;
    this.classFeatures = session.classFeatures();
  }

  /**
   * Opens the run's model with every model variable (optimizer slots aside) from
   * {@code values}, the tensors of checkpoint {@code c}; the pretrained weights are loaded only
   * where {@code c} is adapter-sized, for its frozen backbone (their checksum must be its base's).
   *
   * @param config the resolved run config (its {@code export} block says how to fold)
   * @param c the checkpoint: its method state ({@code method.state}) and its base
   * @param classNames the classes in label order
   * @param prompts the class prompts, asked for only when the method scores classes by text
   * @param values the variables by name
   * @throws TfpeftException (usage) naming the first variable of the model that {@code values}
   *     lacks or holds with another shape, or the base that is missing or not the checkpoint's
   */
  public static RunModel open(RunConfig config, MethodRegistry registry,
      CheckpointStore.Checkpoint c, List<String> classNames, Supplier<ClassPrompts> prompts,
      TensorFile values) {
    JsonObject methodState = c.methodState();
    RunSession.Opener opener = RunSession.opener(config, registry).methodState(methodState)
        .values(values, c.dir().toString()).valuesOf(c);
    List<String> templates = List.of();
    if (config.getModel().hasClip() && scoresByText(registry, config, classNames)) {
      ClassPrompts classPrompts = prompts.get();
      opener.prompts(classPrompts);
      templates = classPrompts.templates();
    }
    RunSession session = opener.classes(classNames, templates).open();
    try {
      session.prepare(true);
      return new RunModel(config, registry, methodState, session, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /**
   * The model an opened run holds (an adapter artifact applied to its base), served with
   * {@code config} (the run's, with the export block the command asks for); the caller keeps
   * and closes {@code session}.
   */
  public static RunModel of(RunSession session, RunConfig config, JsonObject methodState,
      MethodRegistry registry) {
    return new RunModel(config, registry, methodState, session, false);
  }

  /** Asks a throwaway instance of the method how it classifies. */
  private static boolean scoresByText(MethodRegistry registry, RunConfig config,
      List<String> classNames) {
    try (Graph scratch = new Graph()) {
      return registry.create(config.getMethod()).classifier(new MethodContext(config,
          new tfpeft.model.Net(scratch, config.getSeed()), classNames)) != ClassifierKind.HEAD;
    }
  }

  public RunConfig config() {
    return config;
  }

  public List<String> classNames() {
    return session.classNames();
  }

  /** The graph as trained. */
  public TrainGraph trained() {
    return session.graph();
  }

  public Session session() {
    return session.session();
  }

  /** How the method scores classes. */
  public ClassifierKind classifier() {
    return trained().classifier();
  }

  /**
   * The normalized class features [C, E] of a text classifier; null for a head and for a
   * classifier whose class features differ per image (served with the text tower instead).
   */
  public float[][] classFeatures() {
    return classFeatures;
  }

  /**
   * The trained graph's logits [n][C] of preprocessed images [n, S, S, 3] (row-major): no drop
   * path, no dropout. After {@link #foldedValues} they are the folded model's.
   */
  public float[][] logits(float[] images, int n) {
    return session.logits(images, n);
  }

  /**
   * Applies the method's export transform (once) to the session's variables and returns every
   * model variable's value afterwards, by name: the values the served graph is assigned.
   */
  public Map<String, float[]> foldedValues() {
    if (folded == null) {
      TrainGraph trained = trained();
      trained.method().exportTransform(new ExportContext(config, trained.net(),
          session.session()));
      folded = VariableValues.readAll(session.session(), trained.modelVariables());
    }
    return folded;
  }

  /** Whether the served graph leaves the method's hooks out (its transform folded them in). */
  public boolean folds() {
    return trained().method().exportFolds(config);
  }

  /**
   * The served classifier: a fresh instance of the method with the same state, its hooks
   * attached unless they fold, the backbone on the images, and for a text classifier
   * {@link #classFeatures()} as a constant (or, for per-image class features, the text tower
   * with the class prompts' token ids as a constant).
   */
  public ServingExport.Classifier servingClassifier() {
    return servingClassifier(false);
  }

  private ServingExport.Classifier servingClassifier(boolean unfolded) {
    return (net, images) -> {
      Method served = registry.create(config.getMethod());
      served.restoreState(methodState);
      MethodContext ctx = new MethodContext(config, net, classNames(), session.resources());
      if (unfolded || !served.exportFolds(config)) {
        served.hooks(ctx).forEach(net::addHook);
      }
      return TrainGraph.servingLogits(net, config, served.classifier(ctx), classNames().size(),
          images, classFeatures, session.graph().textClassifier() ? session.prompts() : null,
          served, ctx);
    };
  }

  /** What {@link ServingExport} writes: the folded values and the served classifier. */
  public ServingExport.Model servingModel(
      tfpeft.config.proto.TransformConfig preprocess) {
    return new ServingExport.Model(config.getModel(), foldedValues(), classNames(), null,
        preprocess, servingClassifier());
  }

  /**
   * This model as one adapter of several served on a shared backbone: the values as trained,
   * nothing folded ({@link Method#exportTransform} is not applied, so every backbone variable the
   * method does not train keeps its base value), and the classifier with the method's hooks
   * attached whatever {@link Method#exportFolds} says, so that the adapter computes beside the
   * backbone (LoRA's low-rank paths unmerged, a mask multiplying the shared weight) instead of
   * changing it.
   */
  public ServingExport.Model unfoldedServingModel(
      tfpeft.config.proto.TransformConfig preprocess) {
    return new ServingExport.Model(config.getModel(), VariableValues.readAll(session.session(),
        trained().modelVariables()), classNames(), null, preprocess, servingClassifier(true));
  }

  @Override
  public void close() {
    if (ownsSession) {
      session.close();
    }
  }
}
