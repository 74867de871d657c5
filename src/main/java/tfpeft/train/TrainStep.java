package tfpeft.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.TfpeftException;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.GradientContext;
import tfpeft.peft.Method;
import tfpeft.util.Seeds;

/**
 * One optimizer step over the variables a method trains: gradients of the loss by
 * {@code Graph.addGradients} for those variables only (frozen ones get no gradient ops at all),
 * the method's gradient transform, global-norm clipping and the optimizer update. A method that
 * changes what trains gets a new step built beside the old one (its own gradient and optimizer
 * scope, the same optimizer slots).
 *
 * <p>With {@code training.accumulate_steps} k &gt; 1 the step is split in two: the micro-batch
 * part computes the raw gradients, which the trainer sums on the host weighted by each
 * micro-batch's share of the images (sum_i n_i / N * g_i, the gradient of the batch's mean
 * loss), and the update part takes that mean through placeholders into the optimizer. The
 * accumulators are host arrays that live for one step only, so they never reach a checkpoint.
 */
public final class TrainStep {
  private final List<ModelVariable> variables;
  private final Optimizer optimizer;
  /** The loss's gradients of {@link #variables}, fetched per micro-batch when accumulating. */
  private final List<Operand<TFloat32>> gradients;
  /** The accumulated mean gradients the optimizer reads, or null when it reads the gradients. */
  private final List<Placeholder<TFloat32>> accumulated;
  /** The batch's mean loss as this step computes it (the towers' where there are towers). */
  private final Operand<TFloat32> loss;
  /** The towers of {@code runtime.devices}, or null for one device. */
  private final Towers towers;
  /** The single-device graph's batch inputs (null for a step built without them). */
  private final Operand<TFloat32> images;
  private final Operand<TInt32> labels;

  private TrainStep(List<ModelVariable> variables, Optimizer optimizer,
      List<Operand<TFloat32>> gradients, List<Placeholder<TFloat32>> accumulated,
      Operand<TFloat32> loss, Towers towers, Operand<TFloat32> images, Operand<TInt32> labels) {
    this.variables = variables;
    this.optimizer = optimizer;
    this.gradients = gradients;
    this.accumulated = accumulated;
    this.loss = loss;
    this.towers = towers;
    this.images = images;
    this.labels = labels;
  }

  /**
   * The step for what the run's method trains now, or null when nothing does.
   *
   * @param generation 0 for the first step of a graph, then 1, 2, ... for rebuilds
   */
  public static TrainStep build(TrainGraph g, int generation) {
    List<ModelVariable> vars = g.trainable();
    if (vars.isEmpty() || !g.method().trainsBySteps()) {
      return null;
    }
    int k = g.config().getTraining().getAccumulateSteps();
    if (k > 1 && transformsGradients(g.method())) {
      // the transform reads the batch (ProGrad's and the mask rules' second loss, R-AMT's
      // dropout drawn per step, Pear's importance) inside the graph of one micro-batch, so it
      // would see each micro-batch's gradient, not the step's: not the large batch's update
      throw TfpeftException.usage("training.accumulate_steps " + k + ": method."
          + g.method().name() + " transforms its gradients within the step, which accumulation"
          + " would apply per micro-batch; set training.accumulate_steps: 1 (or leave it out)");
    }
    GradientContext ctx = new GradientContext(g.net(), g.classificationLoss(), g.loss(),
        g.logits());
    List<String> devices = g.config().getRuntime().getDevicesList();
    // a frozen text tower's class features are fed to the step, not computed by it
    Towers.Spec spec = devices.size() <= 1 ? null : new Towers.Spec(devices, g.images(),
        g.labels(), Towers.names(g.classifier() == ClassifierKind.TEXT_FEATURES
            ? g.classFeatures() : null));
    try {
      return build(g.net(), g.loss(), vars, g.config().getTraining(), generation,
          grads -> g.method().transformGradients(ctx, vars, grads), g.method()::weightDecays,
          spec, g.images(), g.labels());
    } catch (TfpeftException e) {
      throw TfpeftException.usage("method." + g.method().name() + ": " + e.getMessage());
    }
  }

  /**
   * The step over {@code vars} minimizing {@code loss}, the gradients passed through
   * {@code transform} before clipping and the optimizer, weight decay on every variable.
   */
  public static TrainStep build(Net net, Operand<TFloat32> loss, List<ModelVariable> vars,
      TrainingConfig config, int generation,
      UnaryOperator<List<Operand<TFloat32>>> transform) {
    return build(net, loss, vars, config, generation, transform, name -> true);
  }

  /** As above, weight decay only on the variables {@code decays} names. */
  public static TrainStep build(Net net, Operand<TFloat32> loss, List<ModelVariable> vars,
      TrainingConfig config, int generation,
      UnaryOperator<List<Operand<TFloat32>>> transform, Predicate<String> decays) {
    return build(net, loss, vars, config, generation, transform, decays, null, null, null);
  }

  /**
   * As above, with towers over {@code spec}'s devices where it is not null, and the batch's
   * inputs {@code images} and {@code labels} that {@link #feedBatch} feeds (may be null).
   */
  static TrainStep build(Net net, Operand<TFloat32> loss, List<ModelVariable> vars,
      TrainingConfig config, int generation, UnaryOperator<List<Operand<TFloat32>>> transform,
      Predicate<String> decays, Towers.Spec spec, Operand<TFloat32> images,
      Operand<TInt32> labels) {
    Output<?>[] xs = vars.stream().map(v -> v.value().asOutput()).toArray(Output[]::new);
    String suffix = generation == 0 ? "" : "_" + generation;
    Output<?>[] dx = net.graph().addGradients("gradients" + suffix,
        new Output<?>[] {loss.asOutput()}, xs, null);
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < dx.length; i++) {
      if (dx[i] == null || dx[i].op() == null
          || ((GraphOperation) dx[i].op()).getUnsafeNativeHandle() == null
          || ((GraphOperation) dx[i].op()).getUnsafeNativeHandle().isNull()) {
        throw TfpeftException.usage(vars.get(i).name() + " is to train, but the loss does not"
            + " depend on it");
      }
      @SuppressWarnings("unchecked")
      Operand<TFloat32> d = (Operand<TFloat32>) dx[i];
      grads.add(d);
    }
    Towers towers = null;
    if (spec != null) {
      towers = Towers.build(net, spec, loss, grads, suffix);
      grads = towers.gradients();
      loss = towers.loss();
    }
    if (config.getAccumulateSteps() <= 1) {
      List<Operand<TFloat32>> transformed = transform.apply(grads);
      if (towers != null) {
        refuseBatchReads(towers, transformed, spec);
      }
      Optimizer opt = Optimizer.build(net, config, vars, transformed, "optimizer" + suffix,
          decays);
      return new TrainStep(vars, opt, grads, null, loss, towers, images, labels);
    }
    List<Placeholder<TFloat32>> accumulated = new ArrayList<>();
    for (ModelVariable v : vars) {
      accumulated.add(net.named("accumulated_gradients" + suffix + "/" + v.name())
          .placeholder(TFloat32.class, Placeholder.shape(v.shape())));
    }
    Optimizer opt = Optimizer.build(net, config, vars,
        transform.apply(new ArrayList<>(accumulated)), "optimizer" + suffix, decays);
    return new TrainStep(vars, opt, grads, accumulated, loss, towers, images, labels);
  }

  /**
   * Refuses a gradient transform that reads the batch through the single-device graph (a
   * second loss's gradients, ProGrad's and the mask rules'): the towers feed their own copies
   * of the batch, so that graph would have no images. A transform of the averaged gradients
   * alone (Pear's importance) runs once on them, as on one device.
   */
  private static void refuseBatchReads(Towers towers, List<Operand<TFloat32>> transformed,
      Towers.Spec spec) {
    java.util.Set<GraphOperation> seen = new java.util.HashSet<>();
    java.util.Deque<GraphOperation> todo = new java.util.ArrayDeque<>();
    transformed.forEach(t -> todo.add((GraphOperation) t.op()));
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (!seen.add(op) || towers.isOutput(op)) {
        continue;
      }
      if (op.equals(spec.images().op()) || op.equals(spec.labels().op())) {
        throw TfpeftException.usage("runtime.devices: the method's gradient transform reads the"
            + " batch through a second pass of its own, which the towers do not split across"
            + " devices; train on one device (leave runtime.devices out)");
      }
      for (Operand<?> in : op.inputs()) {
        todo.add((GraphOperation) in.op());
      }
      todo.addAll(op.controlInputs());
    }
  }

  /** Whether {@code method} overrides {@link Method#transformGradients}. */
  static boolean transformsGradients(Method method) {
    try {
      return method.getClass().getMethod("transformGradients", GradientContext.class,
          List.class, List.class).getDeclaringClass() != Method.class;
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The step seed of optimizer step {@code step}: stochastic layers (drop path) derive their
   * stateless random seeds from it, so the same step draws the same masks in any process.
   */
  public static TInt64 stepSeed(long runSeed, long step) {
    return TInt64.vectorOf(Seeds.derive(runSeed, "step", step), step);
  }

  public List<ModelVariable> variables() {
    return variables;
  }

  /** The batch's mean loss as the step computes it: fetch this, not the graph's loss. */
  public Operand<TFloat32> loss() {
    return loss;
  }

  /** The devices the step's towers run on, empty for one device. */
  public List<String> devices() {
    return towers == null ? List.of() : towers.devices();
  }

  /**
   * Feeds images [from, to) of a batch ({@code images} [N, H, W, 3] flat, {@code labels} [N])
   * to the step's batch inputs: the graph's, or each tower its share. Returns the tensors to
   * close after the run. The arrays are wrapped, not copied, on the Java side.
   */
  public List<Tensor> feedBatch(Session.Runner r, float[] images, int[] labels, int from,
      int to, long height, long width) {
    if (towers != null) {
      return towers.feed(r, images, labels, from, to, height, width);
    }
    long pixels = height * width * 3;
    int n = to - from;
    TFloat32 x = TFloat32.tensorOf(Shape.of(n, height, width, 3),
        DataBuffers.of(images, true, false).slice(from * pixels, n * pixels));
    TInt32 y = TInt32.tensorOf(Shape.of(n), DataBuffers.of(labels, true, false).slice(from, n));
    r.feed(this.images, x).feed(this.labels, y);
    return List.of(x, y);
  }

  /** Whether the optimizer reads accumulated gradients fed by {@link #feedAccumulated}. */
  public boolean accumulates() {
    return accumulated != null;
  }

  /** The raw gradients of {@link #variables} (same order), fetched per micro-batch. */
  public List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /**
   * Feeds the accumulated mean gradients {@code means} (per variable, flat, same order as
   * {@link #variables}); returns the tensors to close after the run.
   */
  public List<TFloat32> feedAccumulated(Session.Runner runner, List<float[]> means) {
    List<TFloat32> fed = new ArrayList<>();
    for (int i = 0; i < accumulated.size(); i++) {
      TFloat32 t = TFloat32.tensorOf(variables.get(i).shape(),
          DataBuffers.of(means.get(i), true, false));
      fed.add(t);
      runner.feed(accumulated.get(i), t);
    }
    return fed;
  }

  /** Feeds the images [from, to) of a step's batch (and the rest) to a runner. */
  @FunctionalInterface
  public interface MicroBatch {
    /** A runner fed images [from, to); what must be closed after the run goes into owned. */
    Session.Runner runner(int from, int to, List<AutoCloseable> owned);
  }

  /**
   * One optimizer step over a batch of {@code images} run as micro-batches of {@code micro}
   * images (a short last batch gives fewer, or a smaller last one): each micro-batch's gradients
   * are added into host accumulators weighted by n_i / N, so the optimizer gets the gradient of
   * the mean loss over the N images, as one batch would, while only one micro-batch's
   * activations exist at a time. Returns {the images' mean {@code loss}, gradient norm}.
   */
  public float[] runAccumulated(Session session, Operand<TFloat32> loss, int images, int micro,
      long step, float rate, MicroBatch batch) {
    List<float[]> sums = new ArrayList<>();
    variables.forEach(v -> sums.add(new float[Math.toIntExact(v.size())]));
    double meanLoss = 0;
    for (int from = 0; from < images; from += micro) {
      int to = Math.min(images, from + micro);
      float share = (to - from) / (float) images;
      List<AutoCloseable> owned = new ArrayList<>();
      try {
        Session.Runner r = batch.runner(from, to, owned).fetch(loss);
        gradients.forEach(r::fetch);
        try (var out = r.run()) {
          meanLoss += share * ((TFloat32) out.get(0)).getFloat();
          for (int i = 0; i < sums.size(); i++) {
            float[] sum = sums.get(i);
            float[] g = new float[sum.length];
            ((TFloat32) out.get(1 + i)).asRawTensor().data().asFloats().read(g);
            for (int j = 0; j < g.length; j++) {
              sum[j] += share * g[j];
            }
          }
        }
      } finally {
        closeAll(owned);
      }
    }
    List<TFloat32> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      fed.addAll(feedAccumulated(r, sums));
      fed.addAll(feed(r, step, rate));
      r.addTarget(update()).fetch(gradientNorm());
      try (var out = r.run()) {
        return new float[] {(float) meanLoss, ((TFloat32) out.get(0)).getFloat()};
      }
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  private static void closeAll(List<AutoCloseable> owned) {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public Op update() {
    return optimizer.update();
  }

  public Operand<TFloat32> gradientNorm() {
    return optimizer.gradientNorm();
  }

  /** Feeds the optimizer's per-step inputs; returns the tensors to close after the run. */
  public List<TFloat32> feed(Session.Runner runner, long step, float rate) {
    return optimizer.feed(runner, step, rate);
  }
}
