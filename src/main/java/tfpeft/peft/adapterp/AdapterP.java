package tfpeft.peft.adapterp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.AdapterPConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.FloatAdapterMethod;
import tfpeft.peft.MethodContext;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.TrainedState;

/**
 * Adapter-P as a method: the adapters after every vision block's MLP ({@link PfeifferAdapter})
 * and the head train; on CLIP the classifier is the frozen text tower's class features, as for
 * the other adapters. Everything stored is float32; the ReLU between down and up keeps the
 * adapter out of the backbone's weights, so the served graph keeps the hooks.
 */
public final class AdapterP extends FloatAdapterMethod {
  private final AdapterPConfig config;
  private PfeifferAdapter hook;

  public AdapterP(MethodConfig c) {
    this.config = c.getAdapterp();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.ADAPTERP;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new PfeifferAdapter(variablePrefix(), config);
    return List.of(hook);
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.sites().isEmpty()) {
      throw TfpeftException.usage("method.adapterp: the model has no vision block MLP ("
          + PfeifferAdapter.TARGETS + ")");
    }
  }

  /** Its fields hold for any model (dim is checked by the config validator). */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  /**
   * One adapter per vision block: r (D + D) weights, plus r + D biases with {@code bias}; on
   * ViT-B/16 with r = 8 and no biases 147,456 weights = 0.5625 MB (Table I: 0.56).
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    List<SiteSurvey.Site> sites = AdapterAccounting.sites(model, "mlp", PfeifferAdapter.TARGETS);
    long r = config.getDim();
    long values = AdapterAccounting.parameters(sites, r);
    if (config.getBias()) {
      for (SiteSurvey.Site s : sites) {
        values += r + s.out();
      }
    }
    return Optional.of(new AdapterAccounting(sites.size(), sites.size(), values,
        AdapterStorage.matrixBytes(values, 0), 0));
  }

  /** The ReLU between down and up: nothing folds into a weight. */
  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph (the adapter's ReLU cannot fold into a weight)";
  }

  /**
   * The trained adapters (positions, bottleneck width, biases) and their stored size, counted
   * as {@link #accounting} counts it.
   */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    String down = "/" + PfeifferAdapter.DOWN;
    List<String> sites = new ArrayList<>();
    long dim = 0;
    long values = 0;
    boolean biases = false;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(prefix)) {
        continue;
      }
      values += NamedTensor.elementCount(e.getValue());
      biases |= name.endsWith("_bias");
      if (name.endsWith(down)) {
        sites.add(name.substring(prefix.length(), name.length() - down.length()));
        dim = e.getValue()[1];
      }
    }
    out.line(String.format(Locale.ROOT, "  adapters: Adapter-P, dim %d, %s, float32; %d"
        + " trained: %s", dim, biases ? "with biases" : "no biases", sites.size(),
        String.join(", ", sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", "adapter-p");
    a.addProperty("label", "Adapter-P");
    a.addProperty("dim", dim);
    a.addProperty("bias", biases);
    a.addProperty("bits", 0);
    a.addProperty("precision", "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d adapters, %,d bytes = %s MB"
        + " (adapter weights only, MB = 2^20 bytes, as Pear's Table I counts)", sites.size(),
        bytes, AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
