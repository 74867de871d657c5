package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A pre-norm transformer block, read like the paper:
 * x = x + drop_path(attn(ln1(x))); x = x + drop_path(mlp(ln2(x))).
 * Sites: {@code <block>/in} (tokens entering; prompts), {@code <block>/ln1|ln2},
 * {@code <block>/attn/*}, {@code <block>/mlp/fc1|fc2}, and {@code <block>/mlp} for branches
 * parallel to the MLP.
 */
public final class Block {
  private Block() {}

  /** @param x tokens [N, L, D] with L known when the graph is built */
  public static Operand<TFloat32> apply(Net net, int index, Operand<TFloat32> x,
      TransformerSpec spec, Operand<TFloat32> mask, float dropPathScale) {
    Ops tf = net.tf();
    String block = spec.sitePrefix() + "block" + index;
    for (SiteHook h : net.hooks()) {
      x = h.blockInput(net, block + "/in", x);
    }
    long tokens = Tensors.tokenCount(x, block + "/in");
    Operand<TFloat32> h = LayerNorm.site(net, "backbone/", block + "/ln1", x, spec.width(),
        spec.layerNormEps());
    h = Attention.apply(net, block, h, tokens, spec, mask);
    x = tf.math.add(x, DropPath.apply(net, h, dropPathScale));

    Operand<TFloat32> m = LayerNorm.site(net, "backbone/", block + "/ln2", x, spec.width(),
        spec.layerNormEps());
    m = Mlp.apply(net, block + "/mlp", m, spec);
    m = DropPath.apply(net, m, dropPathScale);
    for (SiteHook hook : net.hooks()) {
      m = hook.mlpOutput(net, block + "/mlp", x, m);
    }
    return tf.math.add(x, m);
  }
}
