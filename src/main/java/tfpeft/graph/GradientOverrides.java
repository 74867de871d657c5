package tfpeft.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Ops whose forward pass is the identity and whose backward pass is a rule given in Java: the
 * straight-through estimators of 1-bit adapters and binary masks, and any other per-op gradient.
 *
 * <p>TensorFlow Java registers custom gradients per op type, at most ten per process, and cannot
 * replace a gradient that exists. So exactly one is registered, for IdentityN (which the models
 * never use and which has no gradient of its own), and it dispatches on the op's name: every
 * override is an IdentityN whose (graph, name) maps to its {@link GradientFn}. An IdentityN built
 * elsewhere, without a rule, passes its gradients straight through.
 *
 * <p>Rules are kept per graph weakly, so a rule must not capture the graph's ops: what it needs
 * of the forward pass (a normalized tensor, an inverse standard deviation) it takes as further
 * inputs of the override, stopped with {@code StopGradient} so that their zero gradients end
 * there. A captured op would keep its closed graph reachable for the life of the process.
 */
public final class GradientOverrides {
  private static final String OP_TYPE = IdentityN.OP_NAME;
  private static final Map<Graph, Map<String, GradientFn>> RULES = new WeakHashMap<>();
  private static boolean registered;

  private GradientOverrides() {}

  /**
   * {@code x} unchanged, with the gradient {@code fn} computes. {@code name} is the op's name in
   * the scope of {@code tf}; it only has to be unique there.
   */
  @SuppressWarnings("unchecked")
  public static <T extends TType> Operand<T> identityWithGradient(Ops tf, String name,
      Operand<T> x, GradientFn fn) {
    return (Operand<T>) override(tf, name, List.of(x), fn).get(0);
  }

  /**
   * The value of {@code forward} with the gradient of {@code surrogate}: the loss sees the
   * forward value (a quantized or binarized tensor), the gradient flows into the surrogate (the
   * real-valued tensor it was computed from) as if the op were the identity. {@code forward} gets
   * no gradient. The shapes must agree.
   */
  @SuppressWarnings("unchecked")
  public static <T extends TType> Operand<T> straightThrough(Ops tf, String name,
      Operand<T> forward, Operand<T> surrogate) {
    List<Output<?>> out = override(tf, name, List.of(forward, surrogate),
        (ops, inputs, upstream) -> {
          List<Operand<?>> grads = new ArrayList<>();
          grads.add(null);
          grads.add(upstream.get(0));
          return grads;
        });
    return (Operand<T>) out.get(0);
  }

  /**
   * The identity of every input (one output per input) with the backward rule {@code fn} over
   * all of them together.
   */
  public static List<Output<?>> override(Ops tf, String name, List<Operand<?>> inputs,
      GradientFn fn) {
    ensureRegistered();
    IdentityN op = tf.withName(name).identityN(inputs);
    GraphOperation created = (GraphOperation) op.op();
    synchronized (RULES) {
      RULES.computeIfAbsent((Graph) created.env(), g -> new HashMap<>())
          .put(created.name(), fn);
    }
    return op.output();
  }

  /**
   * Entry {@code i} of an override's outputs, or of a rule's inputs or upstream gradients, as the
   * float32 operand it is; an entry of another type is a programming error.
   */
  @SuppressWarnings("unchecked")
  public static Operand<TFloat32> float32(List<? extends Operand<?>> operands, int i) {
    Operand<?> o = operands.get(i);
    if (o.asOutput().dataType() != DataType.DT_FLOAT) {
      throw new IllegalStateException("entry " + i + " is " + o.asOutput().dataType()
          + ", not float32");
    }
    return (Operand<TFloat32>) o;
  }

  private static synchronized void ensureRegistered() {
    if (!registered) {
      if (!TensorFlow.registerCustomGradient(OP_TYPE, GradientOverrides::gradient)) {
        throw new IllegalStateException("could not register the " + OP_TYPE + " gradient");
      }
      registered = true;
    }
  }

  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> upstream) {
    GradientFn fn;
    synchronized (RULES) {
      fn = RULES.getOrDefault((Graph) op.env(), Map.of()).get(op.name());
    }
    // op.inputs() looks ops up by name, which deadlocks while TensorFlow builds gradients
    List<Operand<?>> inputs = new ArrayList<>();
    for (int i = 0; i < op.numInputs(); i++) {
      inputs.add(op.input(i));
    }
    List<Operand<?>> dys = new ArrayList<>();
    for (int i = 0; i < op.numOutputs(); i++) {
      Output<?> dy = i < upstream.size() ? upstream.get(i) : null;
      dys.add(isMissing(dy) ? zeros(tf, op.output(i)) : dy);
    }
    List<Operand<?>> grads = fn == null ? dys : fn.apply(tf, inputs, dys);
    if (grads.size() != inputs.size()) {
      throw new IllegalStateException("the gradient rule of " + op.name() + " returned "
          + grads.size() + " gradients for " + inputs.size() + " inputs");
    }
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      out.add(grads.get(i) == null ? zeros(tf, inputs.get(i)) : grads.get(i));
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<?> zeros(Ops tf, Operand<?> like) {
    return tf.zerosLike((Operand) like);
  }

  private static boolean isMissing(Output<?> o) {
    if (o == null || o.op() == null) {
      return true;
    }
    GraphOperation op = (GraphOperation) o.op();
    return op.getUnsafeNativeHandle() == null || op.getUnsafeNativeHandle().isNull();
  }
}
