package tfpeft.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.config.proto.ModelConfig;
import tfpeft.peft.SiteSurvey;

/**
 * The transformers model a Hugging Face PEFT adapter attaches to, and which of its
 * {@code torch.nn.Linear} modules each tfpeft Linear site is. PEFT names a tensor
 * {@value #PREFIX}{@code <module>.lora_A.weight}: the module path in the model class a user
 * loads, {@code ViTForImageClassification} for a ViT (a classifier run has a head, so its PEFT
 * twin is the classification model, whose encoder lives under "vit.") and {@code CLIPModel}
 * for CLIP.
 *
 * <pre>
 * ViT  block{i}/attn/q|k|v    vit.encoder.layer.{i}.attention.attention.query|key|value
 *      block{i}/attn/out      vit.encoder.layer.{i}.attention.output.dense
 *      block{i}/mlp/fc1|fc2   vit.encoder.layer.{i}.intermediate.dense | output.dense
 *      (the head)             classifier
 * CLIP block{i}/attn/q|k|v|out      vision_model.encoder.layers.{i}.self_attn.q|k|v|out_proj
 *      block{i}/mlp/fc1|fc2         vision_model.encoder.layers.{i}.mlp.fc1|fc2
 *      text/block{i}/...            text_model.encoder.layers.{i}... (as above)
 *      proj, text/proj              visual_projection, text_projection
 * </pre>
 *
 * A site outside the table (ViT's patch embedding, a Conv2d in transformers) has no Linear to
 * attach a PEFT LoRA to.
 */
public final class PeftModules {
  /** What PEFT's PeftModel puts before every module path of the wrapped model. */
  public static final String PREFIX = "base_model.model.";
  /** The ViT classification head's module (PEFT saves it under modules_to_save). */
  public static final String CLASSIFIER = "classifier";

  private static final Pattern VIT = Pattern.compile("block(\\d+)/(?:attn|mlp)/(q|k|v|out|fc1|fc2)");
  private static final Pattern CLIP =
      Pattern.compile("(text/)?block(\\d+)/(?:attn|mlp)/(q|k|v|out|fc1|fc2)");

  private final boolean clip;
  private final Map<String, String> moduleOfSite = new LinkedHashMap<>();
  private final Map<String, SiteSurvey.Site> siteOfModule = new LinkedHashMap<>();

  private PeftModules(boolean clip, List<SiteSurvey.Site> sites) {
    this.clip = clip;
    for (SiteSurvey.Site s : sites) {
      if (!s.kind().equals("linear")) {
        continue;
      }
      String m = clip ? clipModule(s.name()) : vitModule(s.name());
      if (m != null) {
        moduleOfSite.put(s.name(), m);
        siteOfModule.put(m, s);
      }
    }
  }

  /** The modules of the transformers twin of {@code model}. */
  public static PeftModules of(ModelConfig model) {
    return new PeftModules(model.hasClip(), SiteSurvey.of(model));
  }

  /** "ViTForImageClassification" or "CLIPModel". */
  public String modelClass() {
    return clip ? "CLIPModel" : "ViTForImageClassification";
  }

  /** The transformers module that defines {@link #modelClass}, for PEFT's auto_mapping. */
  public String library() {
    return clip ? "transformers.models.clip.modeling_clip"
        : "transformers.models.vit.modeling_vit";
  }

  public boolean clip() {
    return clip;
  }

  /** The module path of Linear site {@code site}, or null when it has none. */
  public String module(String site) {
    return moduleOfSite.get(site);
  }

  /** The Linear site that module path {@code module} is, or null when none is. */
  public SiteSurvey.Site site(String module) {
    return siteOfModule.get(module);
  }

  /** Every Linear module of the twin, the ViT head included: what target_modules can match. */
  public List<String> linearModules() {
    List<String> all = new ArrayList<>(siteOfModule.keySet());
    if (!clip) {
      all.add(CLASSIFIER);
    }
    return all;
  }

  /**
   * PEFT's target_modules for exactly {@code targeted}: the leaf names ("query", "value") when
   * they select no other Linear of the model (PEFT matches a list entry as a suffix after a
   * dot), otherwise the full module paths, which match only themselves.
   */
  public List<String> targetModules(List<String> targeted) {
    TreeSet<String> leaves = new TreeSet<>();
    targeted.forEach(m -> leaves.add(m.substring(m.lastIndexOf('.') + 1)));
    TreeSet<String> selected = new TreeSet<>();
    for (String m : linearModules()) {
      if (leaves.contains(m.substring(m.lastIndexOf('.') + 1))) {
        selected.add(m);
      }
    }
    return selected.equals(new TreeSet<>(targeted)) ? new ArrayList<>(leaves)
        : new ArrayList<>(new TreeSet<>(targeted));
  }

  private static String vitModule(String site) {
    Matcher m = VIT.matcher(site);
    if (!m.matches()) {
      return null;
    }
    String layer = "vit.encoder.layer." + m.group(1) + ".";
    return layer + switch (m.group(2)) {
      case "q" -> "attention.attention.query";
      case "k" -> "attention.attention.key";
      case "v" -> "attention.attention.value";
      case "out" -> "attention.output.dense";
      case "fc1" -> "intermediate.dense";
      default -> "output.dense";
    };
  }

  private static String clipModule(String site) {
    if (site.equals("proj")) {
      return "visual_projection";
    }
    if (site.equals("text/proj")) {
      return "text_projection";
    }
    Matcher m = CLIP.matcher(site);
    if (!m.matches()) {
      return null;
    }
    String layer = (m.group(1) == null ? "vision_model" : "text_model") + ".encoder.layers."
        + m.group(2) + ".";
    return layer + switch (m.group(3)) {
      case "q", "k", "v" -> "self_attn." + m.group(3) + "_proj";
      case "out" -> "self_attn.out_proj";
      default -> "mlp." + m.group(3);
    };
  }
}
