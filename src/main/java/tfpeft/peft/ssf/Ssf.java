package tfpeft.peft.ssf;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SsfConfig;
import tfpeft.model.SiteHook;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.ExportContext;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * SSF as a method: a scale and shift pair after each targeted operation of the image encoder
 * ({@link ScaleShift}) and the head train; on CLIP the classifier is the frozen text tower's
 * class features, as for the adapter methods. An adapter artifact stores the pairs in float32;
 * export folds them into the backbone ({@link ScaleShiftFold}) and serves the plain backbone.
 */
public final class Ssf implements Method {
  /** What the storage accounting and inspect call one stored scale and shift. */
  static final String UNIT = "scale-shift pairs";

  private final SsfConfig config;
  private ScaleShift hook;

  public Ssf(MethodConfig c) {
    this.config = c.getSsf();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.SSF;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new ScaleShift(variablePrefix(), ScaleShiftSites.targets(config),
        config.getInitStd());
    return List.of(hook);
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  /**
   * Targets that match no site, or a site that is not the backbone's own layer (the head's
   * Linear), are config errors: export folds into the backbone.
   */
  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.pairs().isEmpty()) {
      throw TfpeftException.usage("method.ssf.targets: no Linear or LayerNorm site of the model"
          + " matches " + ScaleShiftSites.targets(config) + " (sites look like block3/attn/q,"
          + " block3/ln1, norm; `tfpeft graph` lists them)");
    }
    for (ScaleShift.Pair p : hook.pairs()) {
      String own = ScaleShiftFold.BACKBONE + p.position().site()
          + (p.position().layerNorm() ? "/gamma" : "/weight");
      if (ctx.net().variables(own).isEmpty()) {
        throw TfpeftException.usage("method.ssf.targets: " + p.position().site()
            + " is not a layer of the backbone; leave it out of the targets");
      }
    }
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  /** The official code decays no scale or shift (1-D parameters); the head as usual. */
  @Override
  public boolean weightDecays(String variable) {
    return config.getWeightDecay() || !variable.startsWith(variablePrefix());
  }

  /** SSF runs on a ViT or on CLIP's image tower alike. */
  @Override
  public boolean needsClip() {
    return false;
  }

  /** The targets are checked against the built model ({@link #afterBuild}). */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    for (int i = 0; i < config.getTargetsCount(); i++) {
      if (config.getTargets(i).isBlank()) {
        throw problems.at("method.ssf.targets", "an empty pattern; name a site such as"
            + " block*/attn/q");
      }
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head, and every scale and shift as an adapter weight, all in float32. */
  @Override
  public StoredTensor stored(String variable) {
    if (StoredTensor.isHead(variable)) {
      return StoredTensor.float32(StoredTensor.Role.HEAD);
    }
    if (!variable.startsWith(variablePrefix())) {
      throw new IllegalStateException("ssf does not train " + variable);
    }
    return StoredTensor.float32(StoredTensor.Role.ADAPTER);
  }

  /** Two float32 vectors per position: 98 pairs, 205,824 values = 0.785 MB on ViT-B/16. */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    List<ScaleShiftSites.Position> positions = ScaleShiftSites.of(model, config);
    long values = 2 * positions.stream().mapToLong(ScaleShiftSites.Position::width).sum();
    return Optional.of(new AdapterAccounting(positions.size(), positions.size(), values,
        AdapterStorage.matrixBytes(values, 0), 0, UNIT));
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    if (exportFolds(ctx.config())) {
      for (ScaleShift.Pair p : hook.pairs()) {
        ScaleShiftFold.foldInto(ctx.session(), ctx.net(), p);
      }
    }
  }

  /** Every pair folds unless a targeted Linear has no bias to take its shift. */
  @Override
  public boolean exportFolds(RunConfig run) {
    return ScaleShiftSites.foldable(run.getModel(), config);
  }

  @Override
  public String foldingDescription(RunConfig run) {
    return exportFolds(run) ? "scales and shifts folded into the weights, served as the plain"
        + " backbone" : "its hooks kept in the served graph (a targeted Linear has no bias to"
        + " take its shift)";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  /** The trained pairs (after Linears, after LayerNorms), their values and stored size. */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    int pairs = 0;
    int layerNorm = 0;
    long values = 0;
    String prefix = variablePrefix();
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(prefix)) {
        continue;
      }
      values += NamedTensor.elementCount(e.getValue());
      if (name.endsWith(ScaleShift.SCALE)) {
        pairs++;
        layerNorm += isLayerNormSite(name.substring(prefix.length(),
            name.length() - ScaleShift.SCALE.length())) ? 1 : 0;
      }
    }
    out.line(String.format(Locale.ROOT, "  scale-shift: %d pairs (%d after Linears, %d after"
        + " LayerNorms), %,d values, float32", pairs, pairs - layerNorm, layerNorm, values));
    JsonObject ss = new JsonObject();
    ss.addProperty("pairs", pairs);
    ss.addProperty("layer_norm", layerNorm);
    ss.addProperty("values", values);
    out.put("scale_shift", ss);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d %s, %,d bytes = %s MB (adapter"
        + " weights only, MB = 2^20 bytes, as Pear's Table I counts)", pairs, UNIT, bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }

  /** A LayerNorm site's name: ln1, ln2, ln_pre, norm (inspect sees names, not the model). */
  private static boolean isLayerNormSite(String site) {
    String last = site.substring(site.lastIndexOf('/') + 1);
    return last.startsWith("ln") || last.equals("norm");
  }
}
