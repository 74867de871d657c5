package tfpeft.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.Precision;
import tfpeft.util.Seeds;

/**
 * The build context of one model graph: the ops factory, the variables by name, the site hooks of
 * the active method, and the per-step controls every stochastic layer reads: the drop-path rate,
 * a step seed for stateless random ops (so that a resumed run draws the same masks), and the
 * training flag of dropout inside a method's layers. {@link GraphControls} feeds them.
 */
public final class Net {
  /** The op name of the training flag (1 while training); SavedModels already name it. */
  public static final String TRAINING = "control/training";

  private final Graph graph;
  private final Ops tf;
  private final long seed;
  private final Map<String, ModelVariable> variables = new LinkedHashMap<>();
  private final Map<String, Ops> scopes = new java.util.HashMap<>();
  private final List<SiteHook> hooks = new ArrayList<>();
  private final Operand<TFloat32> dropPathRate;
  private final Operand<TInt64> stepSeed;
  private int randomStreams;
  private Precision precision = Precision.FP32;

  public Net(Graph graph, long seed) {
    this(graph, seed, false);
  }

  private Net(Graph graph, long seed, boolean defaults) {
    this.graph = graph;
    this.tf = Ops.create(graph);
    this.seed = seed;
    if (defaults) {
      this.dropPathRate = named("control/drop_path_rate").placeholderWithDefault(
          tf.constant(0f), Shape.scalar());
      this.stepSeed = named("control/step_seed").placeholderWithDefault(
          tf.constant(new long[] {0, 0}), Shape.of(2));
    } else {
      this.dropPathRate = named("control/drop_path_rate").placeholder(TFloat32.class,
          Placeholder.shape(Shape.scalar()));
      this.stepSeed = named("control/step_seed").placeholder(TInt64.class,
          Placeholder.shape(Shape.of(2)));
    }
  }

  /**
   * A net for a served graph: the per-step controls default to evaluation (drop-path rate 0,
   * step seed 0), so a SavedModel runs without them being fed, whatever stochastic layer (an
   * adapter's dropout, inactive outside training) the method built.
   */
  public static Net serving(Graph graph, long seed) {
    return new Net(graph, seed, true);
  }

  /**
   * Ops that create their next op under the full name {@code path} ("a/b/c" is op "c" in scope
   * "a/b"). Scopes are cached: TensorFlow Java renames a sub-scope opened twice ("b_1").
   */
  public Ops named(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? tf.withName(path)
        : scope(path.substring(0, slash)).withName(path.substring(slash + 1));
  }

  /** Ops whose ops are created inside scope {@code path}. */
  public Ops scope(String path) {
    Ops ops = scopes.get(path);
    if (ops == null) {
      int slash = path.lastIndexOf('/');
      Ops parent = slash < 0 ? tf : scope(path.substring(0, slash));
      ops = SubScopes.open(parent, path.substring(slash + 1));
      scopes.put(path, ops);
    }
    return ops;
  }

  public Graph graph() {
    return graph;
  }

  public Ops tf() {
    return tf;
  }

  public long seed() {
    return seed;
  }

  /**
   * Sets the precision of the backbone's matrix products ({@link MixedPrecision}) for every layer
   * built after this call; float32 until then.
   */
  public void precision(Precision p) {
    precision = p;
  }

  /** The precision of the backbone's matrix products. */
  public Precision precision() {
    return precision;
  }

  public void addHook(SiteHook hook) {
    hooks.add(hook);
  }

  public List<SiteHook> hooks() {
    return Collections.unmodifiableList(hooks);
  }

  /** Drop-path rate fed each step (0 at evaluation). */
  public Operand<TFloat32> dropPathRate() {
    return dropPathRate;
  }

  /** Two int64 fed each step; stochastic layers derive their stateless seeds from it. */
  public Operand<TInt64> stepSeed() {
    return stepSeed;
  }

  /**
   * The training flag, a float that is 1 while training and defaults to 0, so evaluation,
   * export and every caller that does not feed it see no dropout. Created on first use: a graph
   * whose layers never ask for it has none, and nothing feeds it there.
   */
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> training() {
    org.tensorflow.GraphOperation existing = graph.operation(TRAINING);
    if (existing != null) {
      return (org.tensorflow.Output<TFloat32>) (org.tensorflow.Output<?>) existing.output(0);
    }
    return named(TRAINING).placeholderWithDefault(tf.constant(0f), Shape.scalar());
  }

  /** Whether a layer built the training flag ({@link #training}). */
  public boolean hasTrainingFlag() {
    return graph.operation(TRAINING) != null;
  }

  /** A fresh stateless seed for one random op: the step seed offset by a per-op constant. */
  public Operand<TInt64> nextRandomSeed() {
    long offset = Seeds.derive(seed, "stream", randomStreams++);
    return tf.math.add(stepSeed, tf.constant(new long[] {offset, 0}));
  }

  /**
   * The float32 variable {@code name}, created on first use. A second use of the same name (a
   * tower applied twice, a shared adapter) reuses it; the shapes must agree.
   */
  public ModelVariable variable(String name, long[] shape, Init init) {
    Shape s = Shape.of(shape);
    ModelVariable existing = variables.get(name);
    if (existing != null) {
      if (!existing.shape().equals(s)) {
        throw new IllegalStateException("variable " + name + " exists with shape "
            + existing.shape() + ", requested " + s);
      }
      return existing;
    }
    Operand<TFloat32> initial = initialValue(name, s, init);
    Variable<TFloat32> v = named(name).variable(initial);
    Operand<TFloat32> read = named(name + "_read").identity(v);
    Placeholder<TFloat32> loadValue = named(name + "_load_value")
        .placeholder(TFloat32.class, Placeholder.shape(s));
    var load = named(name + "_load").assign(v, loadValue);
    ModelVariable mv = new ModelVariable(name, s, v, read, loadValue, load);
    variables.put(name, mv);
    return mv;
  }

  private Operand<TFloat32> initialValue(String name, Shape shape, Init init) {
    if (init instanceof Init.WithLeading w) {
      if (w.leading().length > shape.size()) {
        throw new IllegalArgumentException(name + ": " + w.leading().length
            + " leading values for " + shape.size());
      }
      Operand<TFloat32> drawn = tf.reshape(initialValue(name, shape, w.rest()),
          tf.constant(new int[] {-1}));
      Operand<TFloat32> tail = tf.slice(drawn, tf.constant(new int[] {w.leading().length}),
          tf.constant(new int[] {-1}));
      return named(name + "_initial_leading").reshape(tf.concat(List.of(
          tf.constant(w.leading()), tail), tf.constant(0)), tf.constant(toInts(shape)));
    }
    Operand<TInt32> dims = tf.constant(toInts(shape));
    Operand<TInt64> opSeed = tf.constant(new long[] {Seeds.derive(seed, "init", name), 0});
    Ops at = named(name + "_initial_value");
    if (init instanceof Init.Constant c) {
      return at.fill(dims, tf.constant(c.value()));
    }
    if (init instanceof Init.TruncatedNormal t) {
      return at.math.mul(tf.random.statelessTruncatedNormal(dims, opSeed), tf.constant(t.std()));
    }
    if (init instanceof Init.Normal n) {
      Operand<TFloat32> scaled = at.math.mul(tf.random.statelessRandomNormal(dims, opSeed),
          tf.constant(n.std()));
      return n.mean() == 0f ? scaled : at.math.add(scaled, tf.constant(n.mean()));
    }
    Init.Uniform u = (Init.Uniform) init;
    Operand<TFloat32> unit = tf.random.statelessRandomUniform(dims, opSeed);
    return at.math.mul(tf.math.sub(tf.math.mul(unit, tf.constant(2f)), tf.constant(1f)),
        tf.constant(u.limit()));
  }

  private static int[] toInts(Shape s) {
    int[] d = new int[s.numDimensions()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (int) s.get(i);
    }
    return d;
  }

  public ModelVariable variable(String name) {
    ModelVariable v = variables.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no variable " + name);
    }
    return v;
  }

  /** Every variable in creation order. */
  public List<ModelVariable> variables() {
    return List.copyOf(variables.values());
  }

  /** Variables whose name starts with {@code prefix}. */
  public List<ModelVariable> variables(String prefix) {
    return variables.values().stream().filter(v -> v.name().startsWith(prefix)).toList();
  }
}
