package tfpeft.graph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * The backward rule of one overridden op: the gradients of its inputs, given the inputs and the
 * gradients arriving at its outputs (an output nothing depends on arrives as zeros). An entry may
 * be null for an input that gets no gradient; it is replaced by zeros.
 */
@FunctionalInterface
public interface GradientFn {
  List<Operand<?>> apply(Ops tf, List<Operand<?>> inputs, List<Operand<?>> upstream);
}
