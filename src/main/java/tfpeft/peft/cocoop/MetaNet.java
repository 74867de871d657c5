package tfpeft.peft.cocoop;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Init;
import tfpeft.model.Net;

/**
 * CoCoOp's meta-net h (section 3.2 of the paper; {@code meta_net} of the official
 * trainers/cocoop.py): Linear(E, E / ratio) - ReLU - Linear(E / ratio, D) from the image feature
 * to one bias pi = h(x) of the text width D. Weights are stored [in, out]; weights and biases
 * start as PyTorch's nn.Linear draws them, U(-1/sqrt(in), 1/sqrt(in)).
 */
final class MetaNet {
  static final String SCOPE = Cocoop.SCOPE + "meta_net/";

  private MetaNet() {}

  /** The hidden width E / ratio. */
  static int hidden(int embed, int ratio) {
    return embed / ratio;
  }

  /** pi = h(x) [N, D] of features x [N, E]. */
  static Operand<TFloat32> apply(Net net, Operand<TFloat32> x, int embed, int ratio,
      int textWidth) {
    Ops tf = net.tf();
    int hidden = hidden(embed, ratio);
    Operand<TFloat32> h = tf.nn.relu(linear(net, "linear1", x, embed, hidden));
    return linear(net, "linear2", h, hidden, textWidth);
  }

  private static Operand<TFloat32> linear(Net net, String name, Operand<TFloat32> x, int in,
      int out) {
    Init bound = new Init.Uniform((float) (1 / Math.sqrt(in)));
    Operand<TFloat32> w = net.variable(SCOPE + name + "/weight", new long[] {in, out}, bound)
        .value();
    Operand<TFloat32> b = net.variable(SCOPE + name + "/bias", new long[] {out}, bound).value();
    return net.tf().math.add(net.tf().linalg.matMul(x, w), b);
  }
}
