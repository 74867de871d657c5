package tfpeft.peft.clipadapter;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.config.proto.ClipAdapterConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * CLIP-Adapter as a method: the residual feature adapter ({@link FeatureAdapter}) on CLIP's
 * image features, and with {@code text} on its class text features, is all that trains. With the
 * image adapter alone the class features are the frozen text tower's, computed once from the
 * templates (the official code encodes them in every forward pass; the text tower being frozen,
 * the values are the same); with the text adapter the text tower runs in every step, as the
 * gradient has to reach it. Stored in float32; the adapter's ReLUs keep it out of any weight, so
 * the served graph keeps the hook.
 */
public final class ClipAdapter implements Method {
  private final ClipAdapterConfig config;
  private FeatureAdapter hook;

  public ClipAdapter(MethodConfig method) {
    this.config = method.getClipAdapter();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.CLIP_ADAPTER;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new FeatureAdapter(variablePrefix(), config.getReduction(), towers());
    return List.of(hook);
  }

  private List<FeatureAdapter.Tower> towers() {
    List<FeatureAdapter.Tower> t = new ArrayList<>();
    if (config.getVisual()) {
      t.add(new FeatureAdapter.Tower(FeatureAdapter.VISUAL_SITE, "visual", config.getAlpha()));
    }
    if (config.getText()) {
      t.add(new FeatureAdapter.Tower(FeatureAdapter.TEXT_SITE, "text", config.getTextAlpha()));
    }
    return t;
  }

  /** The text adapter needs the class features computed in the graph, where it trains. */
  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return config.getText() ? ClassifierKind.TEXT_ENCODER : ClassifierKind.TEXT_FEATURES;
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.built().size() != towers().size()) {
      throw new IllegalStateException("method.clip_adapter: adapters built on "
          + hook.built().keySet() + ", asked for " + towers());
    }
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix());
  }

  /** It adapts CLIP's image and text features and classifies with the text tower's. */
  @Override
  public boolean needsClip() {
    return true;
  }

  /**
   * At least one adapter, and a bottleneck of at least one unit: embed_dim / reduction, checked
   * here where the config gives the width (else when the graph is built).
   */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    if (!config.getVisual() && !config.getText()) {
      throw problems.at("method.clip_adapter.visual", "method.clip_adapter: visual and text are"
          + " both false, so nothing would train; set visual: true (the paper's adapter) or"
          + " text: true");
    }
    if (run.getModel().hasClip() && run.getModel().getClip().hasEmbedDim()
        && run.getModel().getClip().getEmbedDim() < config.getReduction()) {
      throw problems.at("method.clip_adapter.reduction", "method.clip_adapter: reduction "
          + config.getReduction() + " leaves no hidden unit of the " + run.getModel().getClip()
          .getEmbedDim() + "-wide features (hidden = embed_dim / reduction); use at most "
          + run.getModel().getClip().getEmbedDim());
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.adapter(0);
  }

  /**
   * Per adapter 2 E (E / reduction) weights in float32; CLIP ViT-B/16 (E = 512, reduction 4):
   * 131,072 weights, 524,288 bytes = 0.5 MB. None on a ViT, which the method refuses.
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    if (!model.hasClip()) {
      return Optional.empty();
    }
    long e = model.getClip().getEmbedDim();
    int n = towers().size();
    long weights = n * 2L * e * (e / config.getReduction());
    return Optional.of(new AdapterAccounting(n, n, weights, AdapterStorage.matrixBytes(weights,
        0), 0));
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return variable.startsWith(variablePrefix());
  }

  /** The towers adapted, the bottleneck width and the stored size, as accounting counts it. */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    String fc1 = "/" + FeatureAdapter.FC1;
    List<String> adapted = new ArrayList<>();
    long hidden = 0;
    long values = 0;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      values += NamedTensor.elementCount(e.getValue());
      if (e.getKey().endsWith(fc1)) {
        adapted.add(e.getKey().substring(prefix.length(), e.getKey().length() - fc1.length()));
        hidden = e.getValue()[1];
      }
    }
    out.line(String.format(Locale.ROOT, "  adapters: CLIP-Adapter, hidden %d, float32, on the"
        + " %s features", hidden, String.join(" and ", adapted)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", "clip-adapter");
    a.addProperty("label", "CLIP-Adapter");
    a.addProperty("dim", hidden);
    a.addProperty("bits", 0);
    a.addProperty("precision", "float32");
    JsonArray s = new JsonArray();
    adapted.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d adapters, %,d bytes = %s MB"
        + " (adapter weights only, MB = 2^20 bytes)", adapted.size(), bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph (the adapter's ReLUs cannot fold into a weight)";
  }
}
