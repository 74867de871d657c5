package tfpeft.peft;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * What a gradient transform may use: the graph, the classification loss (without the method's
 * extra term), the full loss, and the logits, to build further gradients of its own.
 */
public record GradientContext(Net net, Operand<TFloat32> classificationLoss,
    Operand<TFloat32> loss, Operand<TFloat32> logits) {

  /**
   * The gradients of a second loss (a distillation the method built) with respect to
   * {@code variables}, in their order, as the trainer's are of the run's loss; a variable the
   * loss does not reach gets zeros of its shape. Gradient dropout and ProGrad compare the two.
   * The ops go under {@code scope}, or {@code scope_2}, {@code scope_3}... when a rebuilt step
   * asks again.
   */
  public List<Operand<TFloat32>> gradientsOf(Operand<TFloat32> secondLoss,
      List<ModelVariable> variables, String scope) {
    Output<?>[] xs = variables.stream().map(v -> v.value().asOutput()).toArray(Output[]::new);
    Output<?>[] dy = net.graph().addGradients(freeScope(scope),
        new Output<?>[] {secondLoss.asOutput()}, xs, null);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < dy.length; i++) {
      out.add(missing(dy[i]) ? net.tf().zerosLike(variables.get(i).value()) : cast(dy[i]));
    }
    return out;
  }

  private String freeScope(String scope) {
    String candidate = scope;
    for (int n = 2; taken(candidate); n++) {
      candidate = scope + "_" + n;
    }
    return candidate;
  }

  private boolean taken(String scope) {
    for (Iterator<GraphOperation> it = net.graph().operations(); it.hasNext(); ) {
      if (it.next().name().startsWith(scope + "/")) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast(Output<?> o) {
    return (Operand<TFloat32>) o;
  }

  private static boolean missing(Output<?> o) {
    if (o == null || o.op() == null) {
      return true;
    }
    GraphOperation op = (GraphOperation) o.op();
    return op.getUnsafeNativeHandle() == null || op.getUnsafeNativeHandle().isNull();
  }
}
