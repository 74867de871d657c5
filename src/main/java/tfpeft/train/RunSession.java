package tfpeft.train;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Dataset;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.BaseIdentity;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.text.RunTokenizer;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.PrepareContext;
import tfpeft.peft.RunResources;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * One opened run: every command that works on a run's model (train, eval, bench, export of a run
 * or of an adapter artifact, writing an artifact) opens it here, once. Opening builds the run's
 * graph ({@link TrainGraph}, with the training step when asked), restores the method's state,
 * and starts a session holding the pretrained weights, or every variable from a checkpoint's
 * tensors (over the pretrained weights where the checkpoint is adapter-sized, {@link
 * CheckpointBase}); then the caller restores a checkpoint or applies an artifact, and
 * {@link #prepare} hands the session to the method before anything is evaluated or trained.
 *
 * <p>It computes logits as evaluation does (no drop path, no dropout; a text classifier's class
 * features computed once from the class prompts with the weights held then) and gives the
 * evaluator and split runner over its graph.
 */
public final class RunSession implements AutoCloseable {
  private final RunConfig config;
  private final Graph graph;
  private final TrainGraph train;
  private final TrainStep step;
  private final Session session;
  private final RunResources resources;
  private final Dataset dataset;
  private final BadExamples bad;
  private final Supplier<ClassPrompts> prompts;
  private final Consumer<String> log;
  private final String startedFrom;
  private BackboneChecksum base;
  /** Whether anything but the starting values went into the session (for {@link #base}). */
  private boolean changed;
  /** Whether every variable came from given tensors, the backbone included: no base to name. */
  private final boolean valuesOnly;
  private float[][] classFeatures;

  private RunSession(Opener o, Graph graph, TrainGraph train, TrainStep step, Session session,
      RunResources resources, Supplier<ClassPrompts> prompts, String startedFrom,
      BackboneChecksum base) {
    this.config = train.config();
    this.graph = graph;
    this.train = train;
    this.step = step;
    this.session = session;
    this.resources = resources;
    this.dataset = o.dataset;
    this.bad = o.bad != null ? o.bad : BadExamples.strict();
    this.prompts = prompts;
    this.log = o.log;
    this.startedFrom = startedFrom;
    this.base = base;
    this.valuesOnly = o.values != null && o.valuesOver == null;
  }

  /**
   * Opens a run of {@code written} (the config as written, see {@link Trainer#Trainer}): its
   * pretrained weights are loaded when {@link Opener#open} runs, unless
   * {@link Opener#values} supplies every variable.
   */
  public static Opener opener(RunConfig written, MethodRegistry registry) {
    return new Opener(written, registry, null);
  }

  /** As {@link #opener(RunConfig, MethodRegistry)}, on weights already loaded. */
  static Opener opener(PretrainedWeights weights, MethodRegistry registry) {
    return new Opener(weights.config(), registry, weights);
  }

  /** What a run is opened with; {@link #open} opens it. */
  public static final class Opener {
    private final RunConfig written;
    private final MethodRegistry registry;
    private PretrainedWeights weights;
    private RunData data;
    private boolean dataOnly;
    private Dataset dataset;
    private BadExamples bad;
    private List<String> classNames;
    private List<String> templates;
    private ClassPrompts givenPrompts;
    private TensorFile values;
    private String origin;
    private CheckpointStore.Checkpoint valuesOver;
    private JsonObject methodState;
    private boolean trainStep;
    private CheckpointStore.Checkpoint resumeFrom;
    private boolean identifyBase;
    private Consumer<String> log = m -> { };

    private Opener(RunConfig written, MethodRegistry registry, PretrainedWeights weights) {
      this.written = written;
      this.registry = registry;
      this.weights = weights;
    }

    /**
     * The run's data: its classes, and its templates for the method to settle (the data then
     * takes the settled ones); the dataset, bad-example policy and prompts of {@link #prepare}
     * and evaluation.
     */
    Opener data(RunData runData) {
      this.data = runData;
      return this;
    }

    /** A dataset read outside a run (bench): its classes, its templates settled as a run's. */
    Opener dataset(Dataset d) {
      this.dataset = d;
      return this;
    }

    /**
     * The classes in label order and CLIP's templates as a checkpoint or artifact recorded them
     * (settled already; null or empty takes the config's or CLIP's default); no data is loaded.
     */
    public Opener classes(List<String> names, List<String> recordedTemplates) {
      this.classNames = names;
      this.templates = recordedTemplates;
      return this;
    }

    /**
     * Classes from the run's data, loaded for them (and for {@link #prepare}), with CLIP's
     * templates as recorded ({@code recordedTemplates}), or the data's when null.
     */
    public Opener classesOfData(List<String> recordedTemplates) {
      this.dataOnly = true;
      this.templates = recordedTemplates;
      return this;
    }

    /** The class prompts of a text classifier, where the opener cannot make them itself. */
    public Opener prompts(ClassPrompts p) {
      this.givenPrompts = p;
      return this;
    }

    /**
     * Every model variable from {@code tensors} instead of the pretrained weights (a run's
     * checkpoint), which are then not loaded (unless {@link #valuesOf} names an adapter-sized
     * checkpoint): the config is taken as resolved already, and the
     * method reads these tensors as the values the run starts from. {@code where} names them in
     * messages.
     */
    public Opener values(TensorFile tensors, String where) {
      this.values = tensors;
      this.origin = where;
      return this;
    }

    /**
     * The tensors of {@link #values} are those of {@code c}, which may be adapter-sized: then its
     * frozen backbone is loaded from the config's model.weights, checked to be {@code c}'s base,
     * and the tensors are assigned over it.
     */
    public Opener valuesOf(CheckpointStore.Checkpoint c) {
      this.valuesOver = c.adapterSized() ? c : null;
      return this;
    }

    /** Method state to restore right after the graph is built (a Pear plan), or null. */
    public Opener methodState(JsonObject state) {
      this.methodState = state;
      return this;
    }

    /**
     * Builds the training step too; with {@code resume} (a checkpoint to resume from, or null)
     * also the optimizer slots it holds that the net lacks.
     */
    Opener trainStep(CheckpointStore.Checkpoint resume) {
      this.trainStep = true;
      this.resumeFrom = resume;
      return this;
    }

    /** Keeps the checksum of the backbone as loaded ({@link RunSession#base}). */
    public Opener identifyBase() {
      this.identifyBase = true;
      return this;
    }

    public Opener log(Consumer<String> lines) {
      this.log = lines;
      return this;
    }

    /** Builds the graph, opens the session and loads the starting values. */
    public RunSession open() {
      if (weights == null && values != null && valuesOver != null) {
        CheckpointBase.requireBaseFile(valuesOver, written.getModel().getWeights().getPath());
        weights = PretrainedWeights.load(written);
      }
      if (weights == null) {
        weights = values != null ? PretrainedWeights.none(written) : PretrainedWeights.load(written);
      }
      RunConfig c = weights.config();
      if (dataOnly && data == null) {
        data = RunData.load(c, weights.vocabulary(), log);
        if (templates == null) {
          templates = data.templates();
        }
        classNames = data.dataset().classNames();
        dataset = data.dataset();
        bad = data.bad();
        data = null;
      }
      List<String> names;
      List<String> runTemplates;
      RunResources res;
      boolean settle;
      if (data != null) {
        names = data.dataset().classNames();
        runTemplates = data.templates();
        res = data.resources(weights);
        dataset = data.dataset();
        bad = data.bad();
        settle = true;
      } else if (classNames == null && dataset != null) {
        names = dataset.classNames();
        runTemplates = c.getModel().hasClip()
            ? ClassPrompts.templates(c, dataset.templates()) : List.of();
        res = new RunResources(() -> RunTokenizer.of(c, weights.vocabulary()),
            weights::tensor, dataset);
        settle = true;
      } else {
        names = classNames;
        runTemplates = templates == null ? List.of() : templates;
        if (c.getModel().hasClip() && runTemplates.isEmpty()) {
          runTemplates = ClassPrompts.templates(c, List.of());
        }
        res = values != null ? valuesResources(c, values, valuesOver != null ? weights : null)
            : new RunResources(() -> RunTokenizer.of(c, weights.vocabulary()),
                weights::tensor, null);
        settle = false;
      }
      if (methodState != null) {
        res = res.withMethodState(methodState);
      }
      Method method = registry.create(c.getMethod());
      Graph g = new Graph();
      Session s = null;
      try {
        TrainGraph train = TrainGraph.build(g, c, method, names, runTemplates, res, settle);
        if (data != null) {
          data.useTemplates(train.templates());
        }
        if (methodState != null) {
          method.restoreState(methodState);
        }
        TrainStep step = null;
        if (trainStep) {
          step = TrainStep.build(train, 0);
          if (resumeFrom != null) {
            VariableCheckpoint.addMissingSlots(resumeFrom, train.net());
          }
        }
        s = SessionOptions.open(g, c.getRuntime());
        s.initialize();
        String from;
        BackboneChecksum base = null;
        if (values != null && valuesOver != null) {
          weights.assign(s, train.net());
          base = BackboneChecksum.of(s, train.net());
          CheckpointBase.check(valuesOver, BaseIdentity.of(c, base));
          assign(s, train.modelVariables(), values, origin,
              CheckpointBase.fromBase(valuesOver, train.net(), train.trainable()));
          from = origin + " on its base " + valuesOver.base().describe();
        } else if (values != null) {
          assign(s, train.modelVariables(), values, origin, name -> false);
          from = origin;
        } else {
          from = weights.assign(s, train.net());
          base = identifyBase ? BackboneChecksum.of(s, train.net()) : null;
        }
        return new RunSession(this, g, train, step, s, res, promptSource(c, train), from, base);
      } catch (RuntimeException e) {
        if (s != null) {
          s.close();
        }
        g.close();
        throw e;
      }
    }

    /**
     * Where a text classifier's class prompts come from: the given ones, the run's data's
     * (tokenized on first use), or the classes and settled templates with the run's tokenizer,
     * made now so that a missing vocabulary is said at once.
     */
    private Supplier<ClassPrompts> promptSource(RunConfig c, TrainGraph train) {
      if (givenPrompts != null) {
        return () -> givenPrompts;
      }
      if (data != null) {
        return data::prompts;
      }
      if (!c.getModel().hasClip()) {
        return () -> null;
      }
      List<String> names = train.context().classNames();
      Supplier<ClassPrompts> make = () -> ClassPrompts.of(RunTokenizer.of(c,
          weights.vocabulary()), names, train.templates(),
          c.getModel().getClip().getContextLength());
      if (!train.textClassifier()) {
        return make;
      }
      ClassPrompts made = make.get();
      return () -> made;
    }
  }

  /**
   * What the method reads while a checkpoint's graph is rebuilt: the run's tokenizer and, as the
   * values the variables start from, the checkpoint's own tensors (a method sizes a variable by
   * them, as TIP-Adapter its cache, where the run's data is not at hand); no dataset.
   */
  private static RunResources valuesResources(RunConfig config, TensorFile values,
      PretrainedWeights loaded) {
    RunResources base = RunResources.of(config);
    return new RunResources(base::tokenizer, name -> values.find(name)
        .map(NamedTensor::data).orElseGet(() -> loaded != null ? loaded.tensor(name)
            : base.pretrained(name)), null);
  }

  /**
   * Assigns every model variable (optimizer slots aside) from {@code values}, but those
   * {@code fromBase} names that {@code values} lacks (they keep the base's values).
   */
  private static void assign(Session s, List<ModelVariable> variables, TensorFile values,
      String origin, java.util.function.Predicate<String> fromBase) {
    List<ModelVariable> found = new ArrayList<>();
    List<float[]> data = new ArrayList<>();
    for (ModelVariable v : variables) {
      if (v.name().startsWith("optimizer/")) {
        continue;
      }
      Optional<NamedTensor> t = values.find(v.name());
      if (t.isEmpty() && fromBase.test(v.name())) {
        continue;
      }
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
      found.add(v);
      data.add(t.get().data());
    }
    VariableValues.assignAll(s, found, data);
  }

  /**
   * Restores a checkpoint for evaluation or export: the method's state, then every model
   * variable (optimizer slots stay behind).
   */
  public void restore(CheckpointStore.Checkpoint c) {
    checkBase(c);
    changed = true;
    train.method().restoreState(c.methodState());
    VariableCheckpoint.restore(c, session, train.modelVariables(),
        CheckpointBase.fromBase(c, train.net(), train.trainable()));
    dropClassFeatures();
  }

  /**
   * Restores every variable of a checkpoint, optimizer slots included, to resume training (the
   * method's state went in before the step was built, {@link Opener#methodState}).
   */
  void resume(CheckpointStore.Checkpoint c) {
    checkBase(c);
    changed = true;
    VariableCheckpoint.restore(c, session, train.net().variables(),
        CheckpointBase.fromBase(c, train.net(), train.trainable()));
    dropClassFeatures();
  }

  /**
   * Fails unless the session holds the base of {@code c} where {@code c} is adapter-sized (its
   * frozen backbone is the session's as loaded from model.weights).
   */
  private void checkBase(CheckpointStore.Checkpoint c) {
    if (c.adapterSized()) {
      CheckpointBase.check(c, BaseIdentity.of(config, base()));
    }
  }

  /**
   * Hands the session to the method before anything is evaluated or trained
   * ({@link Method#prepare}).
   *
   * @param restored whether a checkpoint or an artifact supplied the variables
   */
  public void prepare(boolean restored) {
    changed = true;
    train.method().prepare(new PrepareContext(config, train.net(), session, dataset,
        splitRunner(), restored, log));
    dropClassFeatures();
  }

  /** Runs the graph over a split as evaluation does (for a method's {@link #prepare}). */
  GraphSplitRunner splitRunner() {
    return new GraphSplitRunner(train, session, bad,
        evaluator().batchSize(train.context().numClasses()), prompts);
  }

  /** Classifies splits with the session's current weights. */
  public Evaluator evaluator() {
    return new Evaluator(train, session, bad);
  }

  /** Forgets the class features computed so far (after the weights changed). */
  public void dropClassFeatures() {
    classFeatures = null;
  }

  /**
   * The normalized class features [C][E] of a text classifier with the weights held now (kept
   * until the weights change through this session), or null for a head and for a classifier
   * whose class features differ per image.
   */
  public float[][] classFeatures() {
    if (train.classFeaturesFed() && classFeatures == null) {
      classFeatures = train.classFeatureValue(session, prompts.get());
    }
    return classFeatures;
  }

  /**
   * Logits [n][classes] of preprocessed images, row-major [n, S, S, 3], in graph calls no
   * larger than the method can hold ({@link tfpeft.peft.BatchLimit}).
   */
  public float[][] logits(float[] px, int n) {
    int size = BuiltModel.imageSize(config.getModel());
    int per = train.method().batchLimit(config, train.context().numClasses())
        .map(tfpeft.peft.BatchLimit::images).orElse(n);
    if (n > per) {
      int floats = size * size * 3;
      float[][] out = new float[n][];
      for (int from = 0; from < n; from += per) {
        int m = Math.min(per, n - from);
        System.arraycopy(logits(java.util.Arrays.copyOfRange(px, from * floats,
            (from + m) * floats), m), 0, out, from, m);
      }
      return out;
    }
    float[][] cf = classFeatures();
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(px, true,
        false));
        TFloat32 features = cf == null ? null : ClipClassifier.tensor(cf);
        GraphFeeds feeds = GraphFeeds.evaluation(train).classFeatures(features)
            .prompts(train.textClassifier() ? prompts.get() : null);
        var out = feeds.runner(session, x).fetch(train.logits()).run()) {
      return ClipClassifier.rows((TFloat32) out.get(0));
    }
  }

  /** The resolved config, with the architecture of the weights. */
  public RunConfig config() {
    return config;
  }

  /** The run's graph as built. */
  public TrainGraph graph() {
    return train;
  }

  /** The training step, when opened with one and the method trains anything; else null. */
  TrainStep step() {
    return step;
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

  /** What the method read while its graph was built. */
  public RunResources resources() {
    return resources;
  }

  public List<String> classNames() {
    return train.context().classNames();
  }

  /** CLIP's class-prompt templates the graph is built for (empty for a ViT). */
  public List<String> templates() {
    return train.templates();
  }

  /** The class prompts of a text classifier (null for a ViT). */
  public ClassPrompts prompts() {
    return prompts.get();
  }

  /** Where the values came from: the pretrained weights, or the origin of the given tensors. */
  public String startedFrom() {
    return startedFrom;
  }

  /**
   * The checksum of the backbone as loaded, before any checkpoint or artifact was applied: taken
   * when the session opens ({@link Opener#identifyBase}) or on first use, which must then come
   * before anything but the starting values went into the session. One pass over the backbone,
   * made once per session.
   */
  public BackboneChecksum base() {
    if (base == null) {
      if (changed || valuesOnly) {
        throw new IllegalStateException("the base is identified before a checkpoint or artifact"
            + " goes into the session (Opener.identifyBase)");
      }
      base = BackboneChecksum.of(session, train.net());
    }
    return base;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
