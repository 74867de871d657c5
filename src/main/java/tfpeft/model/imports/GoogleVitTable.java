package tfpeft.model.imports;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.weights.NamedTensor;

/**
 * Google's ViT .npz (the checkpoints of the ViT paper and its ImageNet-21k models). Kernels
 * are already [in, out]; attention kernels are split per head.
 *
 * <pre>
 * cls [1,1,D]                                        backbone/cls_token
 * embedding/kernel [p,p,3,D], embedding/bias         backbone/patch_embed (rows (y, x, channel))
 * Transformer/posembed_input/pos_embedding [1,T,D]   backbone/pos_embed [T,D]
 * Transformer/encoderblock_i/LayerNorm_0             backbone/block{i}/ln1 (scale, bias)
 * .../MultiHeadDotProductAttention_1/query|key|value/kernel [D,H,D/H], bias [H,D/H]
 *                                                    backbone/block{i}/attn/q|k|v
 * .../MultiHeadDotProductAttention_1/out/kernel [H,D/H,D]   backbone/block{i}/attn/out
 * .../LayerNorm_2                                    backbone/block{i}/ln2
 * .../MlpBlock_3/Dense_0|Dense_1                     backbone/block{i}/mlp/fc1|fc2
 * Transformer/encoder_norm                           backbone/norm
 * pre_logits/kernel|bias                             backbone/pre_logits
 * head/kernel|bias                                   head/head
 * </pre>
 *
 * Every number comes from a shape (heads from the query kernel [D, heads, head_dim]); the file
 * does not say its LayerNorm epsilon or GELU, which are the paper's (1e-6, exact erf GELU).
 */
final class GoogleVitTable implements WeightTable {
  static final String POS = "Transformer/posembed_input/pos_embedding";
  private static final Pattern BLOCK = Pattern.compile("Transformer/encoderblock_(\\d+)/");
  private static final String ATTN = "/MultiHeadDotProductAttention_1/";

  @Override
  public Inferred infer(SourceTensors src) {
    long[] cls = Shapes.ofRank(src, "cls", 3, "to tell the width");
    int width = Shapes.dim(cls, 2);
    int depth = Shapes.countBlocks(src, BLOCK);
    if (depth == 0) {
      throw src.error("Transformer/encoderblock_0/LayerNorm_0/scale", "is missing: the file has "
          + "no transformer blocks");
    }
    long[] kernel = Shapes.ofRank(src, "embedding/kernel", 4, "to tell the patch size");
    if (kernel[0] != kernel[1] || kernel[2] != 3 || kernel[3] != width) {
      throw src.error("embedding/kernel", "has shape " + NamedTensor.formatShape(kernel)
          + "; expected [patch, patch, 3, width] with width " + width);
    }
    int patch = Shapes.dim(kernel, 0);
    long[] pos = Shapes.ofRank(src, POS, 3, "to tell the image size");
    int grid = Shapes.grid(src, POS, pos[1]);
    String q = "Transformer/encoderblock_0" + ATTN + "query/kernel";
    long[] qs = Shapes.ofRank(src, q, 3, "to tell the number of heads");
    if (qs[0] != width || qs[1] * qs[2] != width) {
      throw src.error(q, "has shape " + NamedTensor.formatShape(qs) + "; expected [width, heads, "
          + "head_dim] with width " + width + " = heads * head_dim");
    }
    String fc1 = "Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel";
    long[] mlp = Shapes.ofRank(src, fc1, 2, "to tell the MLP width");
    boolean preLogits = src.has("pre_logits/kernel") || src.has("pre_logits/bias");
    if (preLogits) {
      long[] pl = Shapes.ofRank(src, "pre_logits/kernel", 2, "for the pre-logits layer");
      if (pl[0] != width || pl[1] != width) {
        throw src.error("pre_logits/kernel", "has shape " + NamedTensor.formatShape(pl)
            + "; tfpeft's pre-logits layer maps width to width ([" + width + ", " + width + "])");
      }
    }
    int classes = 0;
    if (src.has("head/kernel")) {
      classes = Shapes.dim(Shapes.ofRank(src, "head/kernel", 2, "for the head"), 1);
    } else if (src.has("head/bias")) {
      classes = Shapes.dim(src.shape("head/bias", "for the head"), 0);
    }
    VitConfig vit = VitConfig.newBuilder().setImageSize(grid * patch).setPatchSize(patch)
        .setWidth(width).setDepth(depth).setHeads(Shapes.dim(qs, 1))
        .setMlpRatio(Shapes.mlpRatio(src, fc1, width, Shapes.dim(mlp, 1)))
        .setQkvBias(src.has("Transformer/encoderblock_0" + ATTN + "query/bias"))
        .setLayerNormEps(1e-6f).setGelu(Gelu.GELU_EXACT).setPreLogits(preLogits).build();
    return new Inferred(ModelConfig.newBuilder().setVit(vit).build(),
        Set.of("layer_norm_eps", "gelu"), classes, "Google ViT .npz", List.of());
  }

  @Override
  public List<Mapping> mappings(Inferred inferred, Map<String, long[]> expected) {
    VitConfig c = inferred.model().getVit();
    long d = c.getWidth();
    long h = Math.round(c.getWidth() * c.getMlpRatio());
    long heads = c.getHeads();
    int p = c.getPatchSize();
    int g = c.getImageSize() / p;
    long tokens = (long) g * g + 1;
    List<Mapping> m = new ArrayList<>();
    m.add(Mapping.copy("backbone/patch_embed/weight", new long[] {(long) p * p * 3, d},
        "embedding/kernel", new long[] {p, p, 3, d}));
    m.add(Mapping.copy("backbone/patch_embed/bias", new long[] {d}, "embedding/bias"));
    m.add(Mapping.copy("backbone/cls_token", new long[] {1, 1, d}, "cls"));
    m.add(Mapping.copy("backbone/pos_embed", new long[] {tokens, d}, POS,
        new long[] {1, tokens, d}));
    for (int i = 0; i < c.getDepth(); i++) {
      String b = "backbone/block" + i + "/";
      String s = "Transformer/encoderblock_" + i + "/";
      layerNorm(m, b + "ln1", s + "LayerNorm_0", d);
      String[] parts = {"q", "k", "v"};
      String[] names = {"query", "key", "value"};
      for (int j = 0; j < 3; j++) {
        String a = s + ATTN.substring(1) + names[j];
        m.add(Mapping.copy(b + "attn/" + parts[j] + "/weight", new long[] {d, d}, a + "/kernel",
            new long[] {d, heads, d / heads}));
        if (c.getQkvBias()) {
          m.add(Mapping.copy(b + "attn/" + parts[j] + "/bias", new long[] {d}, a + "/bias",
              new long[] {heads, d / heads}));
        }
      }
      String out = s + ATTN.substring(1) + "out";
      m.add(Mapping.copy(b + "attn/out/weight", new long[] {d, d}, out + "/kernel",
          new long[] {heads, d / heads, d}));
      m.add(Mapping.copy(b + "attn/out/bias", new long[] {d}, out + "/bias"));
      layerNorm(m, b + "ln2", s + "LayerNorm_2", d);
      dense(m, b + "mlp/fc1", s + "MlpBlock_3/Dense_0", d, h);
      dense(m, b + "mlp/fc2", s + "MlpBlock_3/Dense_1", h, d);
    }
    layerNorm(m, "backbone/norm", "Transformer/encoder_norm", d);
    if (c.getPreLogits()) {
      dense(m, "backbone/pre_logits", "pre_logits", d, d);
    }
    if (inferred.headClasses() > 0) {
      dense(m, "head/head", "head", d, inferred.headClasses());
    }
    return m;
  }

  private static void layerNorm(List<Mapping> m, String target, String source, long d) {
    m.add(Mapping.copy(target + "/gamma", new long[] {d}, source + "/scale"));
    m.add(Mapping.copy(target + "/beta", new long[] {d}, source + "/bias"));
  }

  private static void dense(List<Mapping> m, String target, String source, long in, long out) {
    m.add(Mapping.copy(target + "/weight", new long[] {in, out}, source + "/kernel"));
    m.add(Mapping.copy(target + "/bias", new long[] {out}, source + "/bias"));
  }
}
