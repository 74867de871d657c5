package tfpeft.model.imports;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.weights.NamedTensor;

/**
 * Hugging Face {@code CLIPModel}: separate q/k/v projections, projections stored [out, in].
 *
 * <pre>
 * vision_model.embeddings.patch_embedding.weight     backbone/patch_embed/weight (no bias)
 * vision_model.embeddings.class_embedding [W]        backbone/cls_token [1,1,W]
 * vision_model.embeddings.position_embedding.weight  backbone/pos_embed
 * vision_model.pre_layrnorm                          backbone/ln_pre
 * vision_model.encoder.layers.i.layer_norm1|2        backbone/block{i}/ln1|ln2
 * vision_model.encoder.layers.i.self_attn.q|k|v|out_proj   backbone/block{i}/attn/q|k|v|out
 * vision_model.encoder.layers.i.mlp.fc1|fc2          backbone/block{i}/mlp/fc1|fc2
 * vision_model.post_layernorm                        backbone/norm
 * visual_projection.weight [E,W]                     backbone/proj/weight [W,E]
 * text_model.embeddings.token_embedding.weight       backbone/text/token_embedding
 * text_model.embeddings.position_embedding.weight    backbone/text/pos_embed
 * text_model.encoder.layers.i.*                      backbone/text/block{i}/* (as above)
 * text_model.final_layer_norm                        backbone/text/norm
 * text_projection.weight [E,Dt]                      backbone/text/proj/weight [Dt,E]
 * logit_scale                                        backbone/logit_scale
 * </pre>
 *
 * The position_ids buffers are dropped. Sizes come from the shapes (config.json must agree);
 * heads, LayerNorm epsilon and activation from config.json's vision_config and text_config, with
 * Hugging Face's defaults (12 and 8 heads, 1e-5, quick_gelu) where it leaves them out.
 */
final class HfClipTable implements WeightTable {
  private static final String V = "vision_model.";
  private static final String T = "text_model.";
  private static final Pattern VISION_BLOCK =
      Pattern.compile("vision_model\\.encoder\\.layers\\.(\\d+)\\.");
  private static final Pattern TEXT_BLOCK =
      Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.");
  private final ConfigJson config;

  HfClipTable(ConfigJson config) {
    this.config = config;
  }

  @Override
  public boolean harmless(String name) {
    return name.equals(V + "embeddings.position_ids") || name.equals(T + "embeddings.position_ids");
  }

  @Override
  public Inferred infer(SourceTensors src) {
    ConfigJson vc = config.child("vision_config", "vision_config_dict");
    ConfigJson tc = config.child("text_config", "text_config_dict");
    Set<String> assumed = new HashSet<>();

    String clsName = V + "embeddings.class_embedding";
    long[] cls = Shapes.ofRank(src, clsName, 1, "to tell the vision width");
    int width = Shapes.checked(vc, "hidden_size", Shapes.dim(cls, 0), clsName, cls);
    String convName = V + "embeddings.patch_embedding.weight";
    long[] conv = Shapes.ofRank(src, convName, 4, "to tell the patch size");
    if (conv[0] != width || conv[1] != 3 || conv[2] != conv[3]) {
      throw src.error(convName, "has shape " + NamedTensor.formatShape(conv)
          + "; expected [width, 3, patch, patch] with width " + width);
    }
    int patch = Shapes.checked(vc, "patch_size", Shapes.dim(conv, 2), convName, conv);
    String posName = V + "embeddings.position_embedding.weight";
    long[] pos = Shapes.ofRank(src, posName, 2, "to tell the image size");
    ClipTables.expectDim(src, posName, pos, 1, width, "vision width");
    int image = Shapes.checked(vc, "image_size", Shapes.grid(src, posName, pos[0]) * patch,
        posName, pos);
    int visionDepth = Shapes.checkedCount(vc, "num_hidden_layers",
        Shapes.countBlocks(src, VISION_BLOCK), "blocks " + V + "encoder.layers.*");
    String vfc = V + "encoder.layers.0.mlp.fc1.weight";
    long[] vmlp = Shapes.ofRank(src, vfc, 2, "to tell the vision MLP width");
    int vhidden = Shapes.checked(vc, "intermediate_size", Shapes.dim(vmlp, 0), vfc, vmlp);

    String tokName = T + "embeddings.token_embedding.weight";
    long[] tok = Shapes.ofRank(src, tokName, 2, "to tell the vocabulary size");
    int textWidth = Shapes.checked(tc, "hidden_size", Shapes.dim(tok, 1), tokName, tok);
    int vocab = Shapes.checked(tc, "vocab_size", Shapes.dim(tok, 0), tokName, tok);
    String tposName = T + "embeddings.position_embedding.weight";
    long[] tpos = Shapes.ofRank(src, tposName, 2, "to tell the context length");
    ClipTables.expectDim(src, tposName, tpos, 1, textWidth, "text width");
    int context = Shapes.checked(tc, "max_position_embeddings", Shapes.dim(tpos, 0), tposName,
        tpos);
    int textDepth = Shapes.checkedCount(tc, "num_hidden_layers",
        Shapes.countBlocks(src, TEXT_BLOCK), "blocks " + T + "encoder.layers.*");
    String tfc = T + "encoder.layers.0.mlp.fc1.weight";
    long[] tmlp = Shapes.ofRank(src, tfc, 2, "to tell the text MLP width");
    int thidden = Shapes.checked(tc, "intermediate_size", Shapes.dim(tmlp, 0), tfc, tmlp);
    if (visionDepth == 0 || textDepth == 0) {
      String first = visionDepth == 0 ? V + "encoder.layers.0.layer_norm1.weight"
          : T + "encoder.layers.0.layer_norm1.weight";
      throw src.error(first, "is missing: the file has no " + (visionDepth == 0 ? "vision"
          : "text") + " transformer blocks");
    }
    long[] vproj = Shapes.ofRank(src, "visual_projection.weight", 2, "to tell the embedding "
        + "dimension");
    ClipTables.expectDim(src, "visual_projection.weight", vproj, 1, width, "vision width");
    long[] tproj = Shapes.ofRank(src, "text_projection.weight", 2, "to tell the embedding "
        + "dimension");
    ClipTables.expectDim(src, "text_projection.weight", tproj, 1, textWidth, "text width");
    int embed = Shapes.checked(config, "projection_dim", ClipTables.embedDim(src,
        "visual_projection.weight", vproj[0], "text_projection.weight", tproj[0]),
        "visual_projection.weight", vproj);

    var visionHeads = vc.integer("num_attention_heads");
    var textHeads = tc.integer("num_attention_heads");
    if (visionHeads.isEmpty()) {
      assumed.add("vision_heads");
    }
    if (textHeads.isEmpty()) {
      assumed.add("text_heads");
    }
    float eps = same(vc, tc, "layer_norm_eps", vc.number("layer_norm_eps"),
        tc.number("layer_norm_eps"), 1e-5, assumed, "layer_norm_eps").floatValue();
    String act = same(vc, tc, "hidden_act", vc.string("hidden_act"), tc.string("hidden_act"),
        "quick_gelu", assumed, "gelu");
    Gelu gelu = Shapes.gelu(vc.has("hidden_act") ? vc : tc, "hidden_act", act);

    ClipConfig clip = ClipConfig.newBuilder().setImageSize(image).setPatchSize(patch)
        .setVisionWidth(width).setVisionDepth(visionDepth)
        .setVisionHeads(visionHeads.orElse(12)).setTextWidth(textWidth).setTextDepth(textDepth)
        .setTextHeads(textHeads.orElse(8)).setContextLength(context).setVocabSize(vocab)
        .setEmbedDim(embed)
        .setMlpRatio(ClipTables.mlpRatio(src, vfc, width, vhidden, tfc, textWidth, thidden))
        .setLayerNormEps(eps).setGelu(gelu).build();
    return new Inferred(ModelConfig.newBuilder().setClip(clip).build(), assumed, 0,
        "Hugging Face " + config.firstString("architectures").orElse("CLIPModel"), List.of());
  }

  /** A setting both towers must share (tfpeft's ClipConfig has one), with its default. */
  private static <X> X same(ConfigJson vc, ConfigJson tc, String key, Optional<X> vision,
      Optional<X> text, X dflt, Set<String> assumed, String field) {
    X v = vision.orElse(dflt);
    X t = text.orElse(dflt);
    if (!v.equals(t)) {
      throw tc.error(key, "is " + t + " but " + vc.key(key) + " is " + v + "; tfpeft's CLIP "
          + "uses one " + field + " for both towers");
    }
    if (vision.isEmpty() && text.isEmpty()) {
      assumed.add(field);
    }
    return v;
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
        V + "embeddings.patch_embedding.weight"));
    m.add(Mapping.copy("backbone/cls_token", new long[] {1, 1, w},
        V + "embeddings.class_embedding", new long[] {w}));
    m.add(Mapping.copy("backbone/pos_embed", new long[] {tokens, w},
        V + "embeddings.position_embedding.weight"));
    HfVitTable.layerNorm(m, "backbone/ln_pre", V + "pre_layrnorm", w);
    for (int i = 0; i < c.getVisionDepth(); i++) {
      block(m, "backbone/block" + i + "/", V + "encoder.layers." + i + ".", w,
          Math.round(w * c.getMlpRatio()));
    }
    HfVitTable.layerNorm(m, "backbone/norm", V + "post_layernorm", w);
    m.add(Mapping.transposed("backbone/proj/weight", w, e, "visual_projection.weight"));
    m.add(Mapping.copy("backbone/text/token_embedding", new long[] {c.getVocabSize(), t},
        T + "embeddings.token_embedding.weight"));
    m.add(Mapping.copy("backbone/text/pos_embed", new long[] {c.getContextLength(), t},
        T + "embeddings.position_embedding.weight"));
    for (int i = 0; i < c.getTextDepth(); i++) {
      block(m, "backbone/text/block" + i + "/", T + "encoder.layers." + i + ".", t,
          Math.round(t * c.getMlpRatio()));
    }
    HfVitTable.layerNorm(m, "backbone/text/norm", T + "final_layer_norm", t);
    m.add(Mapping.transposed("backbone/text/proj/weight", t, e, "text_projection.weight"));
    m.add(Mapping.copy("backbone/logit_scale", new long[] {}, "logit_scale"));
    return m;
  }

  private static void block(List<Mapping> m, String b, String s, long d, long h) {
    HfVitTable.layerNorm(m, b + "ln1", s + "layer_norm1", d);
    for (String part : new String[] {"q", "k", "v"}) {
      HfVitTable.linear(m, b + "attn/" + part, s + "self_attn." + part + "_proj", d, d, true);
    }
    HfVitTable.linear(m, b + "attn/out", s + "self_attn.out_proj", d, d, true);
    HfVitTable.layerNorm(m, b + "ln2", s + "layer_norm2", d);
    HfVitTable.linear(m, b + "mlp/fc1", s + "mlp.fc1", d, h, true);
    HfVitTable.linear(m, b + "mlp/fc2", s + "mlp.fc2", h, d, true);
  }
}
