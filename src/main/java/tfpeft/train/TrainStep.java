package tfpeft.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.TfpeftException;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.peft.GradientContext;
import tfpeft.util.Seeds;

/**
 * One optimizer step over the variables a method trains: gradients of the loss by
 * {@code Graph.addGradients} for those variables only (frozen ones get no gradient ops at all),
 * the method's gradient transform, global-norm clipping and the optimizer update. A method that
 * changes what trains gets a new step built beside the old one (its own gradient and optimizer
 * scope, the same optimizer slots).
 */
public final class TrainStep {
  private final List<ModelVariable> variables;
  private final Optimizer optimizer;

  private TrainStep(List<ModelVariable> variables, Optimizer optimizer) {
    this.variables = variables;
    this.optimizer = optimizer;
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
    GradientContext ctx = new GradientContext(g.net(), g.classificationLoss(), g.loss(),
        g.logits());
    try {
      return build(g.net(), g.loss(), vars, g.config().getTraining(), generation,
          grads -> g.method().transformGradients(ctx, vars, grads), g.method()::weightDecays);
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
    Optimizer opt = Optimizer.build(net, config, vars, transform.apply(grads),
        "optimizer" + suffix, decays);
    return new TrainStep(vars, opt);
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
