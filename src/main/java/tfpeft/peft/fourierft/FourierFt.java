package tfpeft.peft.fourierft;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.FourierFtConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.ExportContext;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.FloatAdapterMethod;
import tfpeft.peft.MethodContext;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.TrainedState;

/**
 * FourierFT as a method: the spectra at the target Linears ({@link FourierSpectrum}) and the
 * head train; on CLIP the classifier is the frozen text tower's class features, as for the other
 * adapters. An artifact stores the coefficients in float32; the frequencies follow from
 * {@code entry_seed} in its config. Export folds each update into its weight.
 */
public final class FourierFt extends FloatAdapterMethod {
  private final FourierFtConfig config;
  private FourierSpectrum hook;

  public FourierFt(MethodConfig c) {
    this.config = c.getFourierft();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.FOURIERFT;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new FourierSpectrum(variablePrefix(), config);
    return List.of(hook);
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.deltas().sites().isEmpty()) {
      throw TfpeftException.usage("method.fourierft.targets: no Linear site of the model matches "
          + FourierSpectrum.targets(config) + " (sites look like block3/attn/q; `tfpeft graph`"
          + " lists them)");
    }
  }

  /** n must fit every target's spectrum (in x out cells). */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    for (SiteSurvey.Site s : sites(run.getModel())) {
      if (s.in() * s.out() < config.getNFrequency()) {
        throw problems.at("method.fourierft.n_frequency", config.getNFrequency()
            + " coefficients do not fit the " + s.in() + " x " + s.out() + " spectrum of "
            + s.name());
      }
    }
  }

  private List<SiteSurvey.Site> sites(ModelConfig model) {
    return AdapterAccounting.sites(model, "linear", FourierSpectrum.targets(config));
  }

  /**
   * n float32 coefficients per site (the frequencies are not stored: the seed gives them). On
   * ViT-B/16's 24 q and v projections with n = 12,288 (LoRA r = 8's count per site): 294,912
   * coefficients = 1.125 MB.
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    int sites = sites(model).size();
    long values = (long) sites * config.getNFrequency();
    return Optional.of(new AdapterAccounting(sites, sites, values,
        AdapterStorage.matrixBytes(values, 0), 0, "spectra"));
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    hook.deltas().foldInto(ctx.session(), ctx.net());
  }

  /** The update is a fixed linear function of the coefficients, added to the weight. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return true;
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "FourierFT's updates folded into the weights";
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    String suffix = "/" + FourierSpectrum.SPECTRUM;
    List<String> sites = new ArrayList<>();
    long n = 0;
    long values = 0;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (name.startsWith(prefix) && name.endsWith(suffix)) {
        sites.add(name.substring(prefix.length(), name.length() - suffix.length()));
        n = e.getValue()[0];
        values += n;
      }
    }
    out.line(String.format(Locale.ROOT, "  adapters: FourierFT, %d coefficients per site"
        + " (frequencies from the config's entry_seed), float32; %d trained: %s", n,
        sites.size(), String.join(", ", sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", "fourierft");
    a.addProperty("label", "FourierFT");
    a.addProperty("n_frequency", n);
    a.addProperty("bits", 0);
    a.addProperty("precision", "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d spectra, %,d bytes = %s MB"
        + " (adapter weights only, MB = 2^20 bytes, as Pear's Table I counts)", sites.size(),
        bytes, AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
