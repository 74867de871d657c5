package tfpeft.train;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;
import tfpeft.model.text.RunTokenizer;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * A run's model outside training: the graph of the run's config (backbone, method hooks,
 * classifier) in a session holding the pretrained weights, to which a checkpoint or an adapter
 * artifact can then be applied, and which computes logits as evaluation does (no drop path, no
 * dropout; a text classifier's class features from the class prompts).
 */
public final class BaseRun implements AutoCloseable {
  private final Graph graph;
  private final TrainGraph train;
  private final Session session;
  private final List<String> classNames;
  private final List<String> templates;
  private final ClassPrompts prompts;
  private final BackboneChecksum base;
  private TFloat32 classFeatures;

  private BaseRun(Graph graph, TrainGraph train, Session session, List<String> classNames,
      List<String> templates, ClassPrompts prompts, BackboneChecksum base) {
    this.graph = graph;
    this.train = train;
    this.session = session;
    this.classNames = classNames;
    this.templates = templates;
    this.prompts = prompts;
    this.base = base;
  }

  /**
   * Builds the model of {@code written} (see {@link Trainer#Trainer}) with its pretrained weights.
   *
   * @param classNames the classes in label order, or null to take them (and the templates) from
   *     the run's data
   * @param templates CLIP's class-prompt templates as the run trained with them (a checkpoint
   *     records them), or null to take the run's data's (required when {@code classNames} is
   *     given)
   * @param methodState method state to restore before the graph is used (a Pear plan), or null
   */
  public static BaseRun open(RunConfig written, List<String> classNames, List<String> templates,
      MethodRegistry registry, JsonObject methodState, Consumer<String> log) {
    PretrainedWeights weights = PretrainedWeights.load(written);
    RunConfig config = weights.config();
    List<String> names = classNames;
    List<String> prompts = templates;
    if (names == null) {
      RunData data = RunData.load(config, weights.vocabulary(), log);
      names = data.dataset().classNames();
      if (prompts == null) {
        prompts = data.templates();
      }
    }
    if (config.getModel().hasClip() && prompts.isEmpty()) {
      prompts = ClassPrompts.templates(config, List.of());
    }
    Method method = registry.create(config.getMethod());
    Graph g = new Graph();
    Session s = null;
    try {
      TrainGraph train = TrainGraph.build(g, config, method, names, Math.max(1, prompts.size()));
      if (methodState != null) {
        method.restoreState(methodState);
      }
      s = SessionOptions.open(g, config.getRuntime());
      s.initialize();
      weights.assign(s, train.net());
      BackboneChecksum base = BackboneChecksum.of(s, train.net());
      ClassPrompts classPrompts = train.textClassifier() ? ClassPrompts.of(
          RunTokenizer.of(config, weights.vocabulary()), names, prompts,
          config.getModel().getClip().getContextLength()) : null;
      return new BaseRun(g, train, s, List.copyOf(names), List.copyOf(prompts), classPrompts,
          base);
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
  }

  /** Assigns every model variable from {@code c}, as evaluation of that checkpoint does. */
  public void restore(CheckpointStore.Checkpoint c) {
    VariableCheckpoint.restore(c, session, train.modelVariables(), true);
    dropClassFeatures();
  }

  /** Forgets the class features computed so far (after the weights changed). */
  public void dropClassFeatures() {
    if (classFeatures != null) {
      classFeatures.close();
      classFeatures = null;
    }
  }

  /** Logits [n][classes] of preprocessed images, row-major [n, S, S, 3]. */
  public float[][] logits(float[] px, int n) {
    int size = BuiltModel.imageSize(train.config().getModel());
    if (train.textClassifier() && classFeatures == null) {
      classFeatures = ClipClassifier.tensor(train.classFeatureValue(session, prompts));
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(px, true,
        false));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(0, 0)) {
      Session.Runner r = session.runner().feed(train.images(), x)
          .feed(train.net().dropPathRate(), rate).feed(train.net().stepSeed(), seed);
      if (classFeatures != null) {
        r.feed(train.classFeatures(), classFeatures);
      }
      try (var out = r.fetch(train.logits()).run()) {
        return ClipClassifier.rows((TFloat32) out.get(0));
      }
    }
  }

  /** The resolved config, with the architecture of the weights. */
  public RunConfig config() {
    return train.config();
  }

  public TrainGraph graph() {
    return train;
  }

  public Net net() {
    return train.net();
  }

  public Session session() {
    return session;
  }

  public Method method() {
    return train.method();
  }

  public List<String> classNames() {
    return classNames;
  }

  /** CLIP's class-prompt templates (empty for a ViT). */
  public List<String> templates() {
    return templates;
  }

  /** The checksum of the backbone as loaded, before any checkpoint was applied. */
  public BackboneChecksum base() {
    return base;
  }

  @Override
  public void close() {
    dropClassFeatures();
    session.close();
    graph.close();
  }
}
