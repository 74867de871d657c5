package tfpeft.model;

import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;

/**
 * Forward FLOPs per image counted from the architecture (a multiply-add is 2 FLOPs; matmuls only,
 * as is usual: LayerNorm, softmax and activations are a few percent). Training costs about three
 * times the forward pass.
 */
public final class ModelFlops {
  private ModelFlops() {}

  /** Forward FLOPs of one image through the image tower (and head / projection). */
  public static double forward(ModelConfig c) {
    if (c.hasClip()) {
      ClipConfig v = c.getClip();
      int g = v.getImageSize() / v.getPatchSize();
      long d = v.getVisionWidth();
      return trunk(g * g + 1, v.getPatchSize(), d, Math.round(d * v.getMlpRatio()),
          v.getVisionDepth()) + 2.0 * d * v.getEmbedDim();
    }
    VitConfig v = c.getVit();
    int g = v.getImageSize() / v.getPatchSize();
    long d = v.getWidth();
    double flops = trunk(g * g + 1, v.getPatchSize(), d, Math.round(d * v.getMlpRatio()),
        v.getDepth());
    return flops + (v.getPreLogits() ? 2.0 * d * d : 0);
  }

  /** FLOPs of one text sequence through CLIP's text tower. */
  public static double text(ClipConfig c) {
    long d = c.getTextWidth();
    return blocks(c.getContextLength(), d, Math.round(d * c.getMlpRatio()), c.getTextDepth())
        + 2.0 * d * c.getEmbedDim();
  }

  private static double trunk(int tokens, int patch, long d, long hidden, int depth) {
    double patchEmbed = 2.0 * (tokens - 1) * patch * patch * 3 * d;
    return patchEmbed + blocks(tokens, d, hidden, depth);
  }

  private static double blocks(int t, long d, long hidden, int depth) {
    double projections = 2.0 * t * d * d * 4;
    double attention = 2.0 * t * t * d * 2;
    double mlp = 2.0 * t * d * hidden * 2;
    return depth * (projections + attention + mlp);
  }
}
