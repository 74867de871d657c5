package tfpeft.model.imports;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.weights.NamedTensor;

/**
 * The OpenAI CLIP layout (the state dict of OpenAI's model.py, as safetensors). Attention is one
 * fused in_proj ([3D, D] weight, [3D] bias, q then k then v), split here; the projections
 * {@code visual.proj} and {@code text_projection} are already [in, out].
 *
 * <pre>
 * visual.conv1.weight [W,3,p,p]                      backbone/patch_embed/weight (no bias)
 * visual.class_embedding [W]                         backbone/cls_token [1,1,W]
 * visual.positional_embedding [T,W]                  backbone/pos_embed
 * visual.ln_pre                                      backbone/ln_pre
 * visual.transformer.resblocks.i.ln_1                backbone/block{i}/ln1
 * visual.transformer.resblocks.i.attn.in_proj_*      backbone/block{i}/attn/q|k|v
 * visual.transformer.resblocks.i.attn.out_proj       backbone/block{i}/attn/out
 * visual.transformer.resblocks.i.ln_2                backbone/block{i}/ln2
 * visual.transformer.resblocks.i.mlp.c_fc|c_proj     backbone/block{i}/mlp/fc1|fc2
 * visual.ln_post                                     backbone/norm
 * visual.proj [W,E]                                  backbone/proj/weight
 * token_embedding.weight [V,Dt]                      backbone/text/token_embedding
 * positional_embedding [ctx,Dt]                      backbone/text/pos_embed
 * transformer.resblocks.i.*                          backbone/text/block{i}/* (as above)
 * ln_final                                           backbone/text/norm
 * text_projection [Dt,E]                             backbone/text/proj/weight
 * logit_scale []                                     backbone/logit_scale
 * </pre>
 *
 * The heads are not stored: OpenAI's code takes width / 64 for both towers, and so does this
 * table unless the configured model says otherwise. LayerNorm epsilon (1e-5) and QuickGELU are
 * OpenAI's too. The scalars input_resolution, context_length and vocab_size, which OpenAI's
 * original checkpoints carry, are dropped.
 */
final class OpenAiClipTable implements WeightTable {
  private static final Pattern VISION_BLOCK =
      Pattern.compile("visual\\.transformer\\.resblocks\\.(\\d+)\\.");
  private static final Pattern TEXT_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.");
  private static final Set<String> HARMLESS = Set.of("input_resolution", "context_length",
      "vocab_size");

  /** Whether tensor names look like this layout. */
  static boolean looksLike(List<String> names) {
    return names.contains("visual.conv1.weight") || names.contains("visual.class_embedding")
        || names.stream().anyMatch(n -> n.startsWith("visual.transformer.resblocks."));
  }

  @Override
  public boolean harmless(String name) {
    return HARMLESS.contains(name);
  }

  @Override
  public Inferred infer(SourceTensors src) {
    long[] cls = Shapes.ofRank(src, "visual.class_embedding", 1, "to tell the vision width");
    int width = Shapes.dim(cls, 0);
    long[] conv = Shapes.ofRank(src, "visual.conv1.weight", 4, "to tell the patch size");
    if (conv[0] != width || conv[1] != 3 || conv[2] != conv[3]) {
      throw src.error("visual.conv1.weight", "has shape " + NamedTensor.formatShape(conv)
          + "; expected [width, 3, patch, patch] with width " + width);
    }
    int patch = Shapes.dim(conv, 2);
    long[] pos = Shapes.ofRank(src, "visual.positional_embedding", 2, "to tell the image size");
    ClipTables.expectDim(src, "visual.positional_embedding", pos, 1, width, "vision width");
    int grid = Shapes.grid(src, "visual.positional_embedding", pos[0]);
    int visionDepth = blocks(src, VISION_BLOCK, "visual.transformer.resblocks.0.ln_1.weight");
    String vfc = "visual.transformer.resblocks.0.mlp.c_fc.weight";
    long[] vmlp = Shapes.ofRank(src, vfc, 2, "to tell the vision MLP width");
    long[] vproj = Shapes.ofRank(src, "visual.proj", 2, "to tell the embedding dimension");
    ClipTables.expectDim(src, "visual.proj", vproj, 0, width, "vision width");

    long[] tok = Shapes.ofRank(src, "token_embedding.weight", 2, "to tell the vocabulary size");
    int textWidth = Shapes.dim(tok, 1);
    long[] tpos = Shapes.ofRank(src, "positional_embedding", 2, "to tell the context length");
    ClipTables.expectDim(src, "positional_embedding", tpos, 1, textWidth, "text width");
    int textDepth = blocks(src, TEXT_BLOCK, "transformer.resblocks.0.ln_1.weight");
    String tfc = "transformer.resblocks.0.mlp.c_fc.weight";
    long[] tmlp = Shapes.ofRank(src, tfc, 2, "to tell the text MLP width");
    long[] tproj = Shapes.ofRank(src, "text_projection", 2, "to tell the embedding dimension");
    ClipTables.expectDim(src, "text_projection", tproj, 0, textWidth, "text width");
    int embed = ClipTables.embedDim(src, "visual.proj", vproj[1], "text_projection", tproj[1]);

    ClipConfig clip = ClipConfig.newBuilder().setImageSize(grid * patch).setPatchSize(patch)
        .setVisionWidth(width).setVisionDepth(visionDepth).setVisionHeads(openAiHeads(width))
        .setTextWidth(textWidth).setTextDepth(textDepth).setTextHeads(openAiHeads(textWidth))
        .setContextLength(Shapes.dim(tpos, 0)).setVocabSize(Shapes.dim(tok, 0))
        .setEmbedDim(embed)
        .setMlpRatio(ClipTables.mlpRatio(src, vfc, width, Shapes.dim(vmlp, 0), tfc, textWidth,
            Shapes.dim(tmlp, 0)))
        .setLayerNormEps(1e-5f).setGelu(Gelu.QUICK_GELU).build();
    return new Inferred(ModelConfig.newBuilder().setClip(clip).build(),
        Set.of("vision_heads", "text_heads", "layer_norm_eps", "gelu"), 0, "OpenAI CLIP layout",
        List.of());
  }

  /** OpenAI's rule, width // 64; 0 (unknown) where 64 does not divide the width. */
  private static int openAiHeads(int width) {
    return width % 64 == 0 ? width / 64 : 0;
  }

  private static int blocks(SourceTensors src, Pattern pattern, String first) {
    int depth = Shapes.countBlocks(src, pattern);
    if (depth == 0) {
      src.shape(first, "as the first transformer block");
      throw src.error(first, "starts no transformer block");
    }
    return depth;
  }

  @Override
  public List<Mapping> mappings(Inferred inferred, Map<String, long[]> expected) {
    ClipConfig c = inferred.model().getClip();
    long w = c.getVisionWidth();
    long t = c.getTextWidth();
    long e = c.getEmbedDim();
    int g = c.getImageSize() / c.getPatchSize();
    long tokens = (long) g * g + 1;
    List<Mapping> m = new ArrayList<>();
    m.add(Mapping.patchConv("backbone/patch_embed/weight", c.getPatchSize(), 3, w,
        "visual.conv1.weight"));
    m.add(Mapping.copy("backbone/cls_token", new long[] {1, 1, w}, "visual.class_embedding",
        new long[] {w}));
    m.add(Mapping.copy("backbone/pos_embed", new long[] {tokens, w},
        "visual.positional_embedding"));
    HfVitTable.layerNorm(m, "backbone/ln_pre", "visual.ln_pre", w);
    for (int i = 0; i < c.getVisionDepth(); i++) {
      block(m, "backbone/block" + i + "/", "visual.transformer.resblocks." + i + ".", w,
          Math.round(w * c.getMlpRatio()));
    }
    HfVitTable.layerNorm(m, "backbone/norm", "visual.ln_post", w);
    m.add(Mapping.copy("backbone/proj/weight", new long[] {w, e}, "visual.proj"));
    m.add(Mapping.copy("backbone/text/token_embedding", new long[] {c.getVocabSize(), t},
        "token_embedding.weight"));
    m.add(Mapping.copy("backbone/text/pos_embed", new long[] {c.getContextLength(), t},
        "positional_embedding"));
    for (int i = 0; i < c.getTextDepth(); i++) {
      block(m, "backbone/text/block" + i + "/", "transformer.resblocks." + i + ".", t,
          Math.round(t * c.getMlpRatio()));
    }
    HfVitTable.layerNorm(m, "backbone/text/norm", "ln_final", t);
    m.add(Mapping.copy("backbone/text/proj/weight", new long[] {t, e}, "text_projection"));
    m.add(Mapping.copy("backbone/logit_scale", new long[] {}, "logit_scale"));
    return m;
  }

  private static void block(List<Mapping> m, String b, String s, long d, long h) {
    HfVitTable.layerNorm(m, b + "ln1", s + "ln_1", d);
    String[] parts = {"q", "k", "v"};
    for (int j = 0; j < 3; j++) {
      m.add(Mapping.fusedPart(b + "attn/" + parts[j] + "/weight", d, d, j, 3,
          s + "attn.in_proj_weight"));
      m.add(Mapping.fusedBiasPart(b + "attn/" + parts[j] + "/bias", d, j, 3,
          s + "attn.in_proj_bias"));
    }
    HfVitTable.linear(m, b + "attn/out", s + "attn.out_proj", d, d, true);
    HfVitTable.layerNorm(m, b + "ln2", s + "ln_2", d);
    HfVitTable.linear(m, b + "mlp/fc1", s + "mlp.c_fc", d, h, true);
    HfVitTable.linear(m, b + "mlp/fc2", s + "mlp.c_proj", h, d, true);
  }
}
