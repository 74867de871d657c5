package tfpeft.peft.fact;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.FactConfig;
import tfpeft.config.proto.FactForm;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
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
 * FacT as a method: its factors ({@link FactFactors}) and the head train; on CLIP the classifier
 * is the frozen text tower's class features, as for the adapter methods. An adapter artifact
 * stores every factor in float32 (the shared U and V once); export adds each site's increment to
 * its weight ({@link FactFold}), so the served graph is the plain backbone.
 */
public final class Fact implements Method {
  /** What the storage accounting and inspect call one stored tensor. */
  static final String UNIT = "factor tensors";

  private final FactConfig config;
  private FactLayout layout;
  private FactFactors factors;

  public Fact(MethodConfig c) {
    this.config = c.getFact();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.FACT;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    layout = FactLayout.of(ctx.config().getModel());
    factors = new FactFactors(variablePrefix(), config, layout);
    return List.of(new FactSite(layout, factors, config.getRank(), config.getScale(),
        config.getDropout()));
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  /** FacT runs on a ViT or on CLIP's image tower alike. */
  @Override
  public boolean needsClip() {
    return false;
  }

  /**
   * The MLP must cut into whole width x width slices (Sec. 3.2 splits fc1 and fc2 into four);
   * the official layout of the MLP cores exists only for FacT-TK.
   */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    ModelConfig model = run.getModel();
    float ratio = model.hasClip() ? model.getClip().getMlpRatio() : model.getVit().getMlpRatio();
    if (ratio != Math.rint(ratio)) {
      throw problems.at(model.hasClip() ? "model.clip.mlp_ratio" : "model.vit.mlp_ratio",
          "method.fact cuts fc1 and fc2 into width x width slices; the MLP ratio " + ratio
              + " is not a whole number");
    }
    long width = model.hasClip() ? model.getClip().getVisionWidth() : model.getVit().getWidth();
    if (config.getRank() > width) {
      // U is width x rank: a larger rank factors nothing more, and FacT-TK's core grows as rank^3
      throw problems.at("method.fact.rank", "rank " + config.getRank() + " exceeds the width "
          + width + " of the slices it factors; at most " + width);
    }
    if (config.getOfficialMlpReshape() && config.getForm() != FactForm.TK) {
      throw problems.at("method.fact.official_mlp_reshape", "applies to form TK only (FacT-TT"
          + " stores one core per slice, the same in the paper and the official code)");
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head, and every factor as an adapter weight, both in float32. */
  @Override
  public StoredTensor stored(String variable) {
    if (StoredTensor.isHead(variable)) {
      return StoredTensor.float32(StoredTensor.Role.HEAD);
    }
    if (!variable.startsWith(variablePrefix())) {
      throw new IllegalStateException("fact does not train " + variable);
    }
    return StoredTensor.float32(StoredTensor.Role.ADAPTER);
  }

  /**
   * Positions are the tensor's slices (144 on ViT-B/16); the stored tensors are U, V and the
   * cores (TT: one per site) or C and P (TK), float32: FacT-TT 2dr + 12L r^2 values, FacT-TK
   * 2dr + r^3 + 12L r (on ViT-B/16: FacT-TT rank 8, 21,504 values = 0.082 MB; FacT-TK rank
   * 32, 86,528 values = 0.330 MB).
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    FactLayout l = FactLayout.of(model);
    long r = config.getRank();
    long values = 2 * l.width() * r;
    int tensors = 2;
    if (config.getForm() == FactForm.TK) {
      values += r * r * r + r * l.positions();
      tensors += 2;
    } else {
      values += r * r * l.positions();
      tensors += l.sites().size();
    }
    return Optional.of(new AdapterAccounting(l.positions(), tensors, values,
        AdapterStorage.matrixBytes(values, 0), 0, UNIT));
  }

  /**
   * Adds every site's increment s * U Sigma V (per slice) to its weight, then sets the shared V
   * to zero, so that the trained graph, hooks and all, computes what the folded weights do.
   */
  @Override
  public void exportTransform(ExportContext ctx) {
    Session s = ctx.session();
    Net net = ctx.net();
    ModelVariable v = net.variable(variablePrefix() + FactFactors.V);
    float[] u = VariableValues.read(s, net.variable(variablePrefix() + FactFactors.U));
    float[] vValues = VariableValues.read(s, v);
    int d = (int) layout.width();
    for (FactLayout.Site site : layout.sites()) {
      float[] m = values(s, factors.cores().get(site.name()));
      float[] delta = FactFold.increment(u, m, vValues, d, config.getRank(), site.rows(),
          site.cols(), config.getScale());
      ModelVariable w = net.variable("backbone/" + site.name() + "/weight");
      float[] folded = VariableValues.read(s, w);
      for (int i = 0; i < folded.length; i++) {
        folded[i] += delta[i];
      }
      VariableValues.assign(s, w, folded);
    }
    VariableValues.assign(s, v, new float[(int) v.size()]);
  }

  private static float[] values(Session s, Operand<TFloat32> x) {
    try (var result = s.runner().fetch(x).run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  /** Folded, the increments live in the weights and the hooks are not needed. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return true;
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "FacT increments folded into the weights";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  /**
   * The form, rank, scale, the shared U and V, the cores (TT: per site; TK: the core tensor and
   * the position factor), the positions they cover, and the stored size as the accounting
   * counts it.
   */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    long[] u = trained.trained().get(prefix + FactFactors.U);
    long rank = u == null ? 0 : u[1];
    long positions = 0;
    int tensors = 0;
    long values = 0;
    List<String> sites = new ArrayList<>();
    String coreSuffix = "/" + FactFactors.CORE;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(prefix)) {
        continue;
      }
      tensors++;
      values += NamedTensor.elementCount(e.getValue());
      String local = name.substring(prefix.length());
      if (local.endsWith(coreSuffix)) {
        sites.add(local.substring(0, local.length() - coreSuffix.length()));
        positions += (e.getValue()[0] / rank) * (e.getValue()[1] / rank);
      } else if (local.equals(FactFactors.POSITIONS)) {
        positions = e.getValue()[1];
      }
    }
    boolean tucker = config.getForm() == FactForm.TK;
    String form = tucker ? "FacT-TK" : "FacT-TT";
    String cores = tucker ? "core tensor [" + rank + ", " + rank + ", " + rank + "] and position"
        + " factor [" + rank + ", " + positions + "]" : sites.size() + " site cores";
    out.line(String.format(Locale.ROOT, "  factors: %s, rank %d, scale %s, float32; U and V"
        + " shared by %d positions; %s%s", form, rank,
        AdapterStorage.significant(config.getScale(), 4), positions, cores,
        tucker && config.getOfficialMlpReshape() ? " (official MLP reshape)" : ""));
    JsonObject f = new JsonObject();
    f.addProperty("form", tucker ? "tk" : "tt");
    f.addProperty("rank", rank);
    f.addProperty("scale", config.getScale());
    f.addProperty("positions", positions);
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    f.add("sites", s);
    out.put("fact", f);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d %s, %,d bytes = %s MB (adapter"
        + " weights only, MB = 2^20 bytes, as Pear's Table I counts)", tensors, UNIT, bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
