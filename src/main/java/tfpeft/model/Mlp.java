package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** fc2(gelu(fc1(x))), sites {@code <block>/mlp/fc1} and {@code <block>/mlp/fc2}. */
public final class Mlp {
  private Mlp() {}

  public static Operand<TFloat32> apply(Net net, String site, Operand<TFloat32> x,
      TransformerSpec spec) {
    long d = spec.width();
    long hidden = spec.mlpHidden();
    Operand<TFloat32> h = Linear.apply(net, "backbone/", site + "/fc1", x, d, hidden, true,
        Init.xavierUniform(d, hidden));
    h = Activations.gelu(net.tf(), h, spec.gelu());
    return Linear.apply(net, "backbone/", site + "/fc2", h, hidden, d, true,
        Init.xavierUniform(hidden, d));
  }
}
