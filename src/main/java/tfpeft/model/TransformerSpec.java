package tfpeft.model;

import tfpeft.config.proto.Gelu;

/**
 * The shape of a stack of pre-norm transformer blocks (shared by the ViT, CLIP's vision tower and
 * CLIP's text tower).
 *
 * @param sitePrefix "" for vision, "text/" for CLIP's text tower
 */
public record TransformerSpec(
    String sitePrefix, int width, int depth, int heads, int mlpHidden, boolean qkvBias,
    float layerNormEps, Gelu gelu, boolean causal) {
  public int headDim() {
    return width / heads;
  }
}
