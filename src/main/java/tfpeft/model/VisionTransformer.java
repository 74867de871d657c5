package tfpeft.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.Pooling;

/**
 * The vision transformer trunk shared by ViT and CLIP's image tower: patches -> tokens (+ class
 * token, + position embedding) -> [ln_pre] -> blocks -> final LayerNorm -> pooled feature [N, D].
 * Sites: {@code patch_embed}, {@code embed} (the tokens before ln_pre; visual prompts are
 * appended here), the LayerNorms {@code ln_pre} and {@code norm}, and the blocks' sites.
 */
public final class VisionTransformer {
  /**
   * @param patchBias whether the patch embedding has a bias (ViT yes, CLIP no)
   * @param lnPre CLIP's LayerNorm before the blocks
   */
  public record Spec(int imageSize, int patchSize, TransformerSpec blocks, boolean patchBias,
      boolean lnPre, Pooling pooling) {
    public int gridSize() {
      return imageSize / patchSize;
    }

    public int patches() {
      return gridSize() * gridSize();
    }

    /** Tokens per image: the patches and the class token. */
    public int tokens() {
      return patches() + 1;
    }
  }

  private VisionTransformer() {}

  /** Pooled, normalized features [N, D] of NHWC images [N, S, S, 3]. */
  public static Operand<TFloat32> features(Net net, Operand<TFloat32> images, Spec spec,
      float dropPath) {
    Ops tf = net.tf();
    TransformerSpec b = spec.blocks();
    int p = spec.patchSize();
    int g = spec.gridSize();
    long d = b.width();
    // [N, g, p, g, p, 3] -> [N, g, g, p, p, 3] -> [N, g*g, p*p*3]: a conv with stride p, as a matmul
    Operand<TFloat32> patches = tf.reshape(images, tf.constant(new int[] {-1, g, p, g, p, 3}));
    patches = tf.linalg.transpose(patches, tf.constant(new int[] {0, 1, 3, 2, 4, 5}));
    patches = tf.reshape(patches, tf.constant(new int[] {-1, g * g, p * p * 3}));
    Operand<TFloat32> x = Linear.apply(net, "backbone/", "patch_embed", patches, p * p * 3L, d,
        spec.patchBias(), Init.xavierUniform(p * p * 3L, d));

    Operand<TFloat32> cls = net.variable("backbone/cls_token", new long[] {1, 1, d},
        Init.truncNormal(0.02f)).value();
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}),
        tf.constant(new int[] {1}));
    Operand<TFloat32> clsTokens = tf.tile(cls, tf.concat(List.of(batch,
        tf.constant(new int[] {1, 1})), tf.constant(0)));
    x = tf.concat(List.of(clsTokens, x), tf.constant(1));
    Operand<TFloat32> pos = net.variable("backbone/pos_embed", new long[] {spec.tokens(), d},
        Init.truncNormal(0.02f)).value();
    x = tf.math.add(x, pos);
    for (SiteHook h : net.hooks()) {
      x = h.embeddings(net, "embed", x);
    }
    if (spec.lnPre()) {
      x = LayerNorm.site(net, "backbone/", "ln_pre", x, d, b.layerNormEps());
    }
    for (int i = 0; i < b.depth(); i++) {
      float scale = b.depth() == 1 ? 0f : (float) i / (b.depth() - 1);
      x = Block.apply(net, i, x, b, null, dropPath > 0 ? scale : 0f);
    }
    if (spec.pooling() == Pooling.MEAN) {
      // timm's avg pooling: mean over patch tokens (not tokens a hook appended after them),
      // then the final LayerNorm ("fc_norm")
      Operand<TFloat32> patchTokens = tf.slice(x, tf.constant(new int[] {0, 1, 0}),
          tf.constant(new int[] {-1, spec.patches(), -1}));
      Operand<TFloat32> pooled = tf.math.mean(patchTokens, tf.constant(1));
      return LayerNorm.site(net, "backbone/", "norm", pooled, d, b.layerNormEps());
    }
    x = LayerNorm.site(net, "backbone/", "norm", x, d, b.layerNormEps());
    return tf.squeeze(tf.slice(x, tf.constant(new int[] {0, 0, 0}),
        tf.constant(new int[] {-1, 1, -1})), org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
  }
}
