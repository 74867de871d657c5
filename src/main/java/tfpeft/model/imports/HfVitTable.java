package tfpeft.model.imports;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.weights.NamedTensor;

/**
 * Hugging Face ViT: {@code ViTModel} (names without a prefix; its pooler, Linear + tanh on the
 * class token, is tfpeft's pre_logits layer) and {@code ViTForImageClassification} (names under
 * "vit.", the head is "classifier"). q, k and v are separate Linears stored [out, in].
 *
 * <pre>
 * [vit.]embeddings.cls_token [1,1,D]                     backbone/cls_token
 * [vit.]embeddings.position_embeddings [1,T,D]           backbone/pos_embed [T,D]
 * [vit.]embeddings.patch_embeddings.projection.weight    backbone/patch_embed/weight (conv -> matmul)
 * [vit.]encoder.layer.i.layernorm_before                 backbone/block{i}/ln1
 * [vit.]encoder.layer.i.attention.attention.query|key|value  backbone/block{i}/attn/q|k|v
 * [vit.]encoder.layer.i.attention.output.dense           backbone/block{i}/attn/out
 * [vit.]encoder.layer.i.layernorm_after                  backbone/block{i}/ln2
 * [vit.]encoder.layer.i.intermediate.dense               backbone/block{i}/mlp/fc1
 * [vit.]encoder.layer.i.output.dense                     backbone/block{i}/mlp/fc2
 * [vit.]layernorm                                        backbone/norm
 * [vit.]pooler.dense                                     backbone/pre_logits
 * classifier                                             head/head
 * </pre>
 *
 * Width, depth, patch, grid and MLP width come from the shapes (config.json must agree); heads,
 * LayerNorm epsilon, activation from config.json, with Hugging Face's defaults (12, 1e-12, gelu)
 * where it leaves them out.
 */
final class HfVitTable implements WeightTable {
  private static final Pattern BLOCK = Pattern.compile("(?:vit\\.)?encoder\\.layer\\.(\\d+)\\.");
  private final ConfigJson config;
  private String p = "";

  HfVitTable(ConfigJson config) {
    this.config = config;
  }

  @Override
  public Inferred infer(SourceTensors src) {
    // ViTForImageClassification nests the ViTModel under "vit."; decided on every name, ignored
    // ones too, so that ignoring a tensor never changes which names the others are looked up by
    p = src.allNames().stream().anyMatch(n -> n.startsWith("vit.")) ? "vit." : "";
    Set<String> assumed = new HashSet<>();
    List<String> notes = new ArrayList<>();
    String clsName = p + "embeddings.cls_token";
    long[] cls = Shapes.ofRank(src, clsName, 3, "to tell the width");
    int width = Shapes.checked(config, "hidden_size", Shapes.dim(cls, 2), clsName, cls);
    int depth = Shapes.countBlocks(src, BLOCK);
    if (depth == 0) {
      throw src.error(p + "encoder.layer.0.layernorm_before.weight", "is missing: the file has "
          + "no transformer blocks");
    }
    Shapes.checkedCount(config, "num_hidden_layers", depth, "blocks " + p + "encoder.layer.*");
    String patchName = p + "embeddings.patch_embeddings.projection.weight";
    long[] patch = Shapes.ofRank(src, patchName, 4, "to tell the patch size");
    if (patch[1] != 3 || patch[2] != patch[3] || patch[0] != width) {
      throw src.error(patchName, "has shape " + NamedTensor.formatShape(patch)
          + "; expected [width, 3, patch, patch] with width " + width);
    }
    int patchSize = Shapes.checked(config, "patch_size", Shapes.dim(patch, 2), patchName, patch);
    String posName = p + "embeddings.position_embeddings";
    long[] pos = Shapes.ofRank(src, posName, 3, "to tell the image size");
    int grid = Shapes.grid(src, posName, pos[1]);
    int imageSize = Shapes.checked(config, "image_size", grid * patchSize, posName, pos);
    String fc1 = p + "encoder.layer.0.intermediate.dense.weight";
    long[] mlp = Shapes.ofRank(src, fc1, 2, "to tell the MLP width");
    int hidden = Shapes.checked(config, "intermediate_size", Shapes.dim(mlp, 0), fc1, mlp);
    var heads = config.integer("num_attention_heads");
    var eps = config.number("layer_norm_eps");
    var act = config.string("hidden_act");
    if (heads.isEmpty()) {
      assumed.add("heads");
    }
    if (eps.isEmpty()) {
      assumed.add("layer_norm_eps");
    }
    if (act.isEmpty()) {
      assumed.add("gelu");
    }
    boolean qkvBias = src.has(p + "encoder.layer.0.attention.attention.query.bias");
    if (config.bool("qkv_bias").orElse(qkvBias) != qkvBias) {
      throw config.error("qkv_bias", "is " + !qkvBias + " but the weights "
          + (qkvBias ? "have" : "lack") + " query biases");
    }
    Gelu gelu = Shapes.gelu(config, "hidden_act", act.orElse("gelu"));
    boolean preLogits = src.has(p + "pooler.dense.weight") || src.has(p + "pooler.dense.bias");
    String poolerAct = config.string("pooler_act").orElse("tanh");
    if (preLogits && !poolerAct.equals("tanh")) {
      throw config.error("pooler_act", "is \"" + poolerAct + "\"; tfpeft's pre-logits layer "
          + "(the pooler) applies tanh; ignore the pooler tensors (" + p + "pooler.*) to leave "
          + "it out");
    }
    int classes = 0;
    if (src.has("classifier.weight")) {
      long[] head = Shapes.ofRank(src, "classifier.weight", 2, "to tell the number of classes");
      classes = Shapes.dim(head, 0);
    } else if (src.has("classifier.bias")) {
      classes = Shapes.dim(src.shape("classifier.bias", "to tell the number of classes"), 0);
    }
    VitConfig vit = VitConfig.newBuilder().setImageSize(imageSize).setPatchSize(patchSize)
        .setWidth(width).setDepth(depth).setHeads(heads.orElse(12))
        .setMlpRatio(Shapes.mlpRatio(src, fc1, width, hidden)).setQkvBias(qkvBias)
        .setLayerNormEps(eps.orElse(1e-12).floatValue()).setGelu(gelu)
        .setPreLogits(preLogits).build();
    String layout = config.firstString("architectures")
        .orElse(classes > 0 ? "ViTForImageClassification" : "ViTModel");
    return new Inferred(ModelConfig.newBuilder().setVit(vit).build(), assumed, classes,
        "Hugging Face " + layout, notes);
  }

  @Override
  public List<Mapping> mappings(Inferred inferred, Map<String, long[]> expected) {
    VitConfig c = inferred.model().getVit();
    long d = c.getWidth();
    long h = Math.round(c.getWidth() * c.getMlpRatio());
    int g = c.getImageSize() / c.getPatchSize();
    long tokens = (long) g * g + 1;
    List<Mapping> m = new ArrayList<>();
    m.add(Mapping.patchConv("backbone/patch_embed/weight", c.getPatchSize(), 3, d,
        p + "embeddings.patch_embeddings.projection.weight"));
    m.add(Mapping.copy("backbone/patch_embed/bias", new long[] {d},
        p + "embeddings.patch_embeddings.projection.bias"));
    m.add(Mapping.copy("backbone/cls_token", new long[] {1, 1, d}, p + "embeddings.cls_token"));
    m.add(Mapping.copy("backbone/pos_embed", new long[] {tokens, d},
        p + "embeddings.position_embeddings", new long[] {1, tokens, d}));
    for (int i = 0; i < c.getDepth(); i++) {
      String b = "backbone/block" + i + "/";
      String s = p + "encoder.layer." + i + ".";
      layerNorm(m, b + "ln1", s + "layernorm_before", d);
      String[] parts = {"q", "k", "v"};
      String[] names = {"query", "key", "value"};
      for (int j = 0; j < 3; j++) {
        linear(m, b + "attn/" + parts[j], s + "attention.attention." + names[j], d, d,
            c.getQkvBias());
      }
      linear(m, b + "attn/out", s + "attention.output.dense", d, d, true);
      layerNorm(m, b + "ln2", s + "layernorm_after", d);
      linear(m, b + "mlp/fc1", s + "intermediate.dense", d, h, true);
      linear(m, b + "mlp/fc2", s + "output.dense", h, d, true);
    }
    layerNorm(m, "backbone/norm", p + "layernorm", d);
    if (c.getPreLogits()) {
      linear(m, "backbone/pre_logits", p + "pooler.dense", d, d, true);
    }
    if (inferred.headClasses() > 0) {
      linear(m, "head/head", "classifier", d, inferred.headClasses(), true);
    }
    return m;
  }

  /** A LayerNorm weight/bias as tfpeft's gamma/beta. */
  static void layerNorm(List<Mapping> m, String target, String source, long d) {
    m.add(Mapping.copy(target + "/gamma", new long[] {d}, source + ".weight"));
    m.add(Mapping.copy(target + "/beta", new long[] {d}, source + ".bias"));
  }

  /** A Linear stored [out, in] (bias [out]) as tfpeft's (weight [in, out], bias). */
  static void linear(List<Mapping> m, String target, String source, long in, long out,
      boolean bias) {
    m.add(Mapping.transposed(target + "/weight", in, out, source + ".weight"));
    if (bias) {
      m.add(Mapping.copy(target + "/bias", new long[] {out}, source + ".bias"));
    }
  }
}
