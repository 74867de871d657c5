package tfpeft.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * Applies gradients to the trainable variables with the learning rate fed every step, so any
 * schedule runs on the host. Slots live under {@code optimizer/<variable>/...} and are saved with
 * every checkpoint.
 *
 * <ul>
 *   <li>ADAMW: p &lt;- p - lr * wd * p - lr * mhat / (sqrt(vhat) + eps), PyTorch's AdamW (decay
 *       taken from the weights before the step, not folded into the gradient);
 *   <li>ADAM: the gradient gets + wd * p (L2), then Adam;
 *   <li>SGD: g + wd * p, momentum buffer b &lt;- mu b + g, p &lt;- p - lr b (PyTorch's SGD).
 * </ul>
 * TensorFlow's ApplyAdam folds the bias corrections into the rate and adds epsilon to sqrt(v);
 * feeding epsilon * sqrt(1 - beta2^t) makes it exactly PyTorch's update.
 */
public final class Optimizer {
  private final TrainingConfig config;
  private final Predicate<String> decays;
  private final Placeholder<TFloat32> lr;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;
  private final Placeholder<TFloat32> epsilonHat;
  private final Operand<TFloat32> globalNorm;
  private final Op update;

  private Optimizer(TrainingConfig config, Net net, List<ModelVariable> vars,
      List<Operand<TFloat32>> grads, String scope, Predicate<String> decays) {
    this.config = config;
    this.decays = decays;
    Ops tf = net.tf();
    lr = scalar(net, scope + "/learning_rate");
    beta1Power = scalar(net, scope + "/beta1_power");
    beta2Power = scalar(net, scope + "/beta2_power");
    epsilonHat = scalar(net, scope + "/epsilon_hat");
    globalNorm = globalNorm(tf, grads);
    List<Operand<TFloat32>> clipped = clip(tf, grads, globalNorm, config.getClipGradNorm());
    // No variable changes before every gradient is computed: the variables are read through
    // Identity, which aliases their buffers, so an early update would leak into gradients still
    // being computed (timing-dependent results). TF1's GATE_GRAPH.
    List<Op> ready = new ArrayList<>();
    for (Operand<TFloat32> g : clipped) {
      ready.add(tf.identity(g));
    }
    Ops gated = tf.withControlDependencies(ready);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      updates.add(apply(net, gated, vars.get(i), clipped.get(i)));
    }
    update = net.named(scope + "/update").withControlDependencies(updates).noOp();
  }

  /** Update ops for {@code vars} given their gradients (same order). */
  public static Optimizer build(Net net, TrainingConfig config, List<ModelVariable> vars,
      List<Operand<TFloat32>> grads) {
    return build(net, config, vars, grads, "optimizer");
  }

  /**
   * As above with the per-step inputs and the update op under {@code scope}, so that a graph can
   * hold several (the trainer rebuilds its step when a method changes what trains). The slots
   * stay under {@code optimizer/<variable>/} and are shared by every build.
   */
  public static Optimizer build(Net net, TrainingConfig config, List<ModelVariable> vars,
      List<Operand<TFloat32>> grads, String scope) {
    return build(net, config, vars, grads, scope, name -> true);
  }

  /**
   * As above, the weight decay applied only to the variables {@code decays} names (the method's
   * {@code weightDecays}); the others take the plain update.
   */
  public static Optimizer build(Net net, TrainingConfig config, List<ModelVariable> vars,
      List<Operand<TFloat32>> grads, String scope, Predicate<String> decays) {
    if (vars.size() != grads.size()) {
      throw new IllegalArgumentException(vars.size() + " variables, " + grads.size()
          + " gradients");
    }
    return new Optimizer(config, net, vars, grads, scope, decays);
  }

  private static Placeholder<TFloat32> scalar(Net net, String name) {
    return net.named(name).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  }

  private Op apply(Net net, Ops tf, ModelVariable v, Operand<TFloat32> g) {
    float wd = decays.test(v.name()) ? config.getWeightDecay() : 0f;
    long[] shape = v.shape().asArray();
    switch (config.getOptimizer()) {
      case SGD -> {
        Operand<TFloat32> grad = wd == 0 ? g
            : tf.math.add(g, tf.math.mul(tf.constant(wd), v.value()));
        ModelVariable buf = net.variable("optimizer/" + v.name() + "/momentum", shape,
            Init.zeros());
        return tf.train.applyMomentum(v.variable(), buf.variable(), lr, grad,
            tf.constant(config.getMomentum()));
      }
      case ADAM -> {
        Operand<TFloat32> grad = wd == 0 ? g
            : tf.math.add(g, tf.math.mul(tf.constant(wd), v.value()));
        return adam(net, v, grad, tf);
      }
      default -> {
        if (wd == 0) {
          return adam(net, v, g, tf);
        }
        Op decay = tf.assignSub(v.variable(),
            tf.math.mul(tf.math.mul(lr, tf.constant(wd)), v.value()));
        return adam(net, v, g, tf.withControlDependencies(List.of(decay)));
      }
    }
  }

  private Op adam(Net net, ModelVariable v, Operand<TFloat32> g, Ops tf) {
    long[] shape = v.shape().asArray();
    ModelVariable m = net.variable("optimizer/" + v.name() + "/m", shape, Init.zeros());
    ModelVariable s = net.variable("optimizer/" + v.name() + "/v", shape, Init.zeros());
    return tf.train.applyAdam(v.variable(), m.variable(), s.variable(), beta1Power, beta2Power,
        lr, tf.constant(config.getBeta1()), tf.constant(config.getBeta2()), epsilonHat, g);
  }

  private static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> grads) {
    Operand<TFloat32> sum = tf.constant(0f);
    for (Operand<TFloat32> g : grads) {
      sum = tf.math.add(sum, tf.reduceSum(tf.math.square(g), tf.range(tf.constant(0),
          tf.rank(g), tf.constant(1)), ReduceSum.keepDims(false)));
    }
    return tf.math.sqrt(sum);
  }

  /** Scales every gradient by clip / max(norm, clip) when clipping is on (clip_grad_norm_). */
  private static List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> grads,
      Operand<TFloat32> norm, float maxNorm) {
    if (maxNorm <= 0) {
      return grads;
    }
    Operand<TFloat32> scale = tf.math.div(tf.constant(maxNorm),
        tf.math.maximum(norm, tf.constant(maxNorm)));
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<TFloat32> g : grads) {
      out.add(tf.math.mul(g, scale));
    }
    return out;
  }

  /** The update op; run it with {@link #feed} for the step. */
  public Op update() {
    return update;
  }

  /** The global gradient norm before clipping, for logging. */
  public Operand<TFloat32> gradientNorm() {
    return globalNorm;
  }

  /**
   * Feeds the per-step scalars for optimizer step {@code step} (1-based) at rate {@code rate}.
   * Returns the tensors fed, which the caller closes after the run.
   */
  public List<TFloat32> feed(Session.Runner runner, long step, float rate) {
    double b1 = Math.pow(config.getBeta1(), step);
    double b2 = Math.pow(config.getBeta2(), step);
    List<TFloat32> fed = List.of(TFloat32.scalarOf(rate), TFloat32.scalarOf((float) b1),
        TFloat32.scalarOf((float) b2),
        TFloat32.scalarOf((float) (config.getEpsilon() * Math.sqrt(1 - b2))));
    runner.feed(lr, fed.get(0)).feed(beta1Power, fed.get(1)).feed(beta2Power, fed.get(2))
        .feed(epsilonHat, fed.get(3));
    return fed;
  }
}
