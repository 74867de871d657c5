package tfpeft.peft.mora;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MoraConfig;
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
 * MoRA as a method: the square matrices at the target Linears ({@link MoraSite}) and the head
 * train; on CLIP the classifier is the frozen text tower's class features, as for the other
 * adapters. An artifact stores the matrices in float32. Export folds each update into its
 * weight.
 */
public final class Mora extends FloatAdapterMethod {
  private final MoraConfig config;
  private MoraSite hook;

  public Mora(MethodConfig c) {
    this.config = c.getMora();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.MORA;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new MoraSite(variablePrefix(), config);
    return List.of(hook);
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.deltas().sites().isEmpty()) {
      throw TfpeftException.usage("method.mora.targets: no Linear site of the model matches "
          + MoraSite.targets(config) + " (sites look like block3/attn/q; `tfpeft graph`"
          + " lists them)");
    }
  }

  /**
   * r_hat must leave something to rotate (at least 2 for ROTATION, 1 for SHARING) and fit the
   * input: the official wrap pads with at most the input's own values.
   */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    for (SiteSurvey.Site s : sites(run.getModel())) {
      int r = MoraOperators.rHat(s.in(), s.out(), config.getRank(), config.getOperator());
      int least = config.getOperator() == tfpeft.config.proto.MoraOperator.ROTATION ? 2 : 1;
      if (r < least || r > s.in()) {
        throw problems.at("method.mora.rank", "rank " + config.getRank() + " gives r_hat = " + r
            + " on " + s.name() + " (" + s.in() + " -> " + s.out() + "), outside " + least
            + " .. " + s.in());
      }
    }
  }

  private List<SiteSurvey.Site> sites(ModelConfig model) {
    return AdapterAccounting.sites(model, "linear", MoraSite.targets(config));
  }

  /**
   * One float32 r_hat x r_hat matrix per site. ViT-B/16's 24 q and v projections with r = 8:
   * r_hat = 110 under ROTATION, 290,400 values = 1.108 MB; 111 under SHARING, 1.128 MB.
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    List<SiteSurvey.Site> sites = sites(model);
    long values = 0;
    for (SiteSurvey.Site s : sites) {
      long r = MoraOperators.rHat(s.in(), s.out(), config.getRank(), config.getOperator());
      values += r * r;
    }
    return Optional.of(new AdapterAccounting(sites.size(), sites.size(), values,
        AdapterStorage.matrixBytes(values, 0), 0, "matrices"));
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    hook.deltas().foldInto(ctx.session(), ctx.net());
  }

  /** The update is a fixed linear function of M, added to the weight. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return true;
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "MoRA's updates folded into the weights";
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    String suffix = "/" + MoraSite.MATRIX;
    List<String> sites = new ArrayList<>();
    long rHat = 0;
    long values = 0;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (name.startsWith(prefix) && name.endsWith(suffix)) {
        sites.add(name.substring(prefix.length(), name.length() - suffix.length()));
        rHat = e.getValue()[0];
        values += e.getValue()[0] * e.getValue()[1];
      }
    }
    String operator = config.getOperator().name().toLowerCase(Locale.ROOT);
    out.line(String.format(Locale.ROOT, "  adapters: MoRA, r_hat %d, %s operators, float32;"
        + " %d trained: %s", rHat, operator, sites.size(), String.join(", ", sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", "mora");
    a.addProperty("label", "MoRA");
    a.addProperty("r_hat", rHat);
    a.addProperty("operator", operator);
    a.addProperty("bits", 0);
    a.addProperty("precision", "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d matrices, %,d bytes = %s MB"
        + " (adapter weights only, MB = 2^20 bytes, as Pear's Table I counts)", sites.size(),
        bytes, AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
