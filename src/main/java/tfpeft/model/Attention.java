package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Multi-head self-attention with separate q, k, v and output projections, each a Linear site
 * ({@code <block>/attn/q|k|v|out}), softmax(q k^T / sqrt(d_head) + mask) v.
 */
public final class Attention {
  private Attention() {}

  /** @param x tokens [N, L, D]; @param mask additive [L, L] mask or null */
  public static Operand<TFloat32> apply(Net net, String block, Operand<TFloat32> x, long tokens,
      TransformerSpec spec, Operand<TFloat32> mask) {
    Ops tf = net.tf();
    long d = spec.width();
    Init init = Init.xavierUniform(d, d);
    Operand<TFloat32> q = heads(tf, Linear.apply(net, "backbone/", block + "/attn/q", x, d, d,
        spec.qkvBias(), init), tokens, spec);
    Operand<TFloat32> k = heads(tf, Linear.apply(net, "backbone/", block + "/attn/k", x, d, d,
        spec.qkvBias(), init), tokens, spec);
    Operand<TFloat32> v = heads(tf, Linear.apply(net, "backbone/", block + "/attn/v", x, d, d,
        spec.qkvBias(), init), tokens, spec);
    // both products in the run's precision; the scores come back float32 for the scale, the
    // mask and the softmax
    Operand<TFloat32> scores = MixedPrecision.batchMatMul(net, q, k, true);
    scores = tf.math.mul(scores, tf.constant((float) (1.0 / Math.sqrt(spec.headDim()))));
    if (mask != null) {
      scores = tf.math.add(scores, mask);
    }
    Operand<TFloat32> attn = tf.nn.softmax(scores);
    Operand<TFloat32> ctx = MixedPrecision.batchMatMul(net, attn, v, false);
    // [N, H, L, dh] -> [N, L, H, dh] -> [N, L, D]
    ctx = tf.reshape(tf.linalg.transpose(ctx, tf.constant(new int[] {0, 2, 1, 3})),
        tf.constant(new int[] {-1, (int) tokens, (int) d}));
    return Linear.apply(net, "backbone/", block + "/attn/out", ctx, d, d, true, init);
  }

  /** [N, L, D] -> [N, H, L, D/H]. */
  private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x, long tokens,
      TransformerSpec spec) {
    Operand<TFloat32> r = tf.reshape(x, tf.constant(
        new int[] {-1, (int) tokens, spec.heads(), spec.headDim()}));
    return tf.linalg.transpose(r, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /** The causal mask of CLIP's text encoder: -inf above the diagonal, 0 elsewhere. */
  public static Operand<TFloat32> causalMask(Ops tf, int tokens) {
    float[][] m = new float[tokens][tokens];
    for (int i = 0; i < tokens; i++) {
      for (int j = i + 1; j < tokens; j++) {
        m[i][j] = Float.NEGATIVE_INFINITY;
      }
    }
    return tf.constant(m);
  }
}
