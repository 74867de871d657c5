package tfpeft.export;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ExportContext;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.RunResources;
import tfpeft.train.ClassPrompts;
import tfpeft.train.SessionOptions;
import tfpeft.train.TrainGraph;

/**
 * A trained model rebuilt from its run config: the graph as it was trained ({@link TrainGraph}:
 * the same method, hooks, class names and classifier), its variables assigned by name from any
 * source of tensors, and the method's state restored. This is the entry point for anything that
 * serves a trained method: a run's checkpoint ({@code tfpeft export RUN}), or base weights plus
 * a method's trainable state brought together in one {@link TensorFile}.
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
  private final List<String> classNames;
  private final Graph graph;
  private final TrainGraph trained;
  private final Session session;
  private final float[][] classFeatures;
  private final RunResources resources;
  private Map<String, float[]> folded;

  private RunModel(RunConfig config, MethodRegistry registry, JsonObject methodState,
      List<String> classNames, Graph graph, TrainGraph trained, Session session,
      float[][] classFeatures, RunResources resources) {
    this.config = config;
    this.resources = resources;
    this.registry = registry;
    this.methodState = methodState;
    this.classNames = List.copyOf(classNames);
    this.graph = graph;
    this.trained = trained;
    this.session = session;
    this.classFeatures = classFeatures;
  }

  /**
   * Builds the run's graph and assigns its model variables (optimizer slots aside) from
   * {@code values}.
   *
   * @param config the resolved run config (its {@code export} block says how to fold)
   * @param methodState what the method saved in the checkpoint ({@code method.state}), or an
   *     empty object
   * @param classNames the classes in label order
   * @param prompts the class prompts, asked for only when the method scores classes by text
   * @param values the variables by name; {@code origin} names them in messages
   * @throws TfpeftException (usage) naming the first variable of the model that {@code values}
   *     lacks or holds with another shape
   */
  public static RunModel open(RunConfig config, MethodRegistry registry, JsonObject methodState,
      List<String> classNames, Supplier<ClassPrompts> prompts, TensorFile values,
      String origin) {
    Graph g = new Graph();
    Session s = null;
    try {
      Method method = registry.create(config.getMethod());
      ClassPrompts classPrompts = null;
      int templates = 1;
      if (config.getModel().hasClip() && scoresByText(registry, config, classNames)) {
        classPrompts = prompts.get();
        templates = Math.max(1, classPrompts.templates().size());
      }
      RunResources resources = resources(config, values);
      TrainGraph trained = TrainGraph.build(g, config, method, classNames, templates, resources);
      method.restoreState(methodState);
      s = SessionOptions.open(g, config.getRuntime());
      s.initialize();
      assign(s, trained.modelVariables(), values, origin);
      float[][] features = null;
      if (trained.textClassifier()) {
        features = trained.classFeatureValue(s, classPrompts);
      }
      return new RunModel(config, registry, methodState, classNames, g, trained, s, features,
          resources);
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
  }

  /**
   * What the method reads while its graph is rebuilt: the run's tokenizer and, as the values the
   * variables start from, the rebuilt run's own tensors (a method sizes a variable by them, as
   * TIP-Adapter its cache, where the run's data is not at hand); no dataset.
   */
  private static RunResources resources(RunConfig config, TensorFile values) {
    RunResources base = RunResources.of(config);
    return new RunResources(base::tokenizer, name -> values.find(name)
        .map(NamedTensor::data).orElseGet(() -> base.pretrained(name)), null);
  }

  /** Asks a throwaway instance of the method how it classifies. */
  private static boolean scoresByText(MethodRegistry registry, RunConfig config,
      List<String> classNames) {
    try (Graph scratch = new Graph()) {
      return registry.create(config.getMethod()).classifier(new MethodContext(config,
          new tfpeft.model.Net(scratch, config.getSeed()), classNames)) != ClassifierKind.HEAD;
    }
  }

  private static void assign(Session s, List<ModelVariable> variables, TensorFile values,
      String origin) {
    for (ModelVariable v : variables) {
      if (v.name().startsWith("optimizer/")) {
        continue;
      }
      Optional<NamedTensor> t = values.find(v.name());
      if (t.isEmpty()) {
        throw TfpeftException.usage(origin + ": no tensor " + v.name() + " " + v.shape()
            + ", which the model built from the run's config has; were these weights written"
            + " by another config?");
      }
      if (!Arrays.equals(t.get().shape(), v.shape().asArray())) {
        throw TfpeftException.usage(origin + ": " + v.name() + " has shape "
            + NamedTensor.formatShape(t.get().shape()) + ", the model built from the run's"
            + " config has " + v.shape() + "; were these weights written by another config?");
      }
      VariableValues.assign(s, v, t.get().data());
    }
  }

  public RunConfig config() {
    return config;
  }

  public List<String> classNames() {
    return classNames;
  }

  /** The graph as trained. */
  public TrainGraph trained() {
    return trained;
  }

  public Session session() {
    return session;
  }

  /** How the method scores classes. */
  public ClassifierKind classifier() {
    return trained.classifier();
  }

  /** The normalized class features [C, E] of a text classifier; null for a head. */
  public float[][] classFeatures() {
    return classFeatures;
  }

  /**
   * The trained graph's logits [n][C] of preprocessed images [n, S, S, 3] (row-major): no drop
   * path, no dropout. After {@link #foldedValues} they are the folded model's.
   */
  public float[][] logits(float[] images, int n) {
    int size = BuiltModel.imageSize(config.getModel());
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(images));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(0, 0);
        TFloat32 cf = classFeatures == null ? null : ClipClassifier.tensor(classFeatures)) {
      Session.Runner r = session.runner().feed(trained.images(), x)
          .feed(trained.net().dropPathRate(), rate).feed(trained.net().stepSeed(), seed);
      if (cf != null) {
        r.feed(trained.classFeatures(), cf);
      }
      try (var out = r.fetch(trained.logits()).run()) {
        return ClipClassifier.rows((TFloat32) out.get(0));
      }
    }
  }

  /**
   * Applies the method's export transform (once) to the session's variables and returns every
   * model variable's value afterwards, by name: the values the served graph is assigned.
   */
  public Map<String, float[]> foldedValues() {
    if (folded == null) {
      trained.method().exportTransform(new ExportContext(config, trained.net(), session));
      Map<String, float[]> out = new LinkedHashMap<>();
      for (ModelVariable v : trained.modelVariables()) {
        out.put(v.name(), VariableValues.read(session, v));
      }
      folded = out;
    }
    return folded;
  }

  /** Whether the served graph leaves the method's hooks out (its transform folded them in). */
  public boolean folds() {
    return trained.method().exportFolds(config);
  }

  /**
   * The served classifier: a fresh instance of the method with the same state, its hooks
   * attached unless they fold, the backbone on the images, and for a text classifier
   * {@link #classFeatures()} as a constant.
   */
  public ServingExport.Classifier servingClassifier() {
    return (net, images) -> {
      Method served = registry.create(config.getMethod());
      served.restoreState(methodState);
      MethodContext ctx = new MethodContext(config, net, classNames, resources);
      if (!served.exportFolds(config)) {
        served.hooks(ctx).forEach(net::addHook);
      }
      return TrainGraph.servingLogits(net, config, served.classifier(ctx), classNames.size(),
          images, classFeatures, served, ctx);
    };
  }

  /** What {@link ServingExport} writes: the folded values and the served classifier. */
  public ServingExport.Model servingModel(
      tfpeft.config.proto.TransformConfig preprocess) {
    return new ServingExport.Model(config.getModel(), foldedValues(), classNames, null,
        preprocess, servingClassifier());
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
