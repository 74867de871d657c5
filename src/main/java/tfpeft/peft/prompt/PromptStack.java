package tfpeft.peft.prompt;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * Deep prompts of one encoder as one L x n x D variable (the paper's T and V), read layer by
 * layer. Random prompts start from N(0, 0.02^2), as CoOp, MaPLe and MuDPT initialize them.
 */
final class PromptStack {
  static final float INIT_STD = 0.02f;

  private PromptStack() {}

  /**
   * @param leading initial values of the first prompts of layer 0, row-major (a phrase's
   *     embeddings), or null
   */
  static ModelVariable create(Net net, String name, int depth, int length, long width,
      float[] leading) {
    return create(net, name, depth, length, width, leading, Init.normal(INIT_STD));
  }

  /** As above, the prompts not given by {@code leading} drawn from {@code random}. */
  static ModelVariable create(Net net, String name, int depth, int length, long width,
      float[] leading, Init random) {
    return net.variable(name, new long[] {depth, length, width},
        leading == null || leading.length == 0 ? random : new Init.WithLeading(leading, random));
  }

  /** N(0, 0.02^2), how a context without a phrase starts. */
  static Init random() {
    return Init.normal(INIT_STD);
  }

  /** {@code values} first (the whole variable when they fill it), the rest as {@link #random}. */
  static Init leading(float[] values) {
    return values.length == 0 ? random() : new Init.WithLeading(values, random());
  }

  /** The L layers [n, D] of a stack [L, n, D]. */
  static List<Operand<TFloat32>> layers(Net net, Operand<TFloat32> stack) {
    int depth = (int) stack.shape().get(0);
    Unstack<TFloat32> u = net.tf().unstack(stack, (long) depth, Unstack.axis(0L));
    return List.copyOf(u.output());
  }
}
