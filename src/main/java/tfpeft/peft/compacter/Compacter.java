package tfpeft.peft.compacter;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.CompacterConfig;
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
 * Compacter as a method: the PHM adapters ({@link PhmAdapter}) with their shared rules, and the
 * head, train; on CLIP the classifier is the frozen text tower's class features, as for the
 * other adapters. Everything stored is float32, the shared rules once; the nonlinearity between
 * down and up keeps the adapters out of the backbone's weights, so the served graph keeps the
 * hooks.
 */
public final class Compacter extends FloatAdapterMethod {
  private final CompacterConfig config;
  private PhmAdapter hook;

  public Compacter(MethodConfig c) {
    this.config = c.getCompacter();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.COMPACTER;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    hook = new PhmAdapter(variablePrefix(), config);
    return List.of(hook);
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (hook.sites().isEmpty()) {
      throw TfpeftException.usage("method.compacter: the model has no vision block sublayer ("
          + PhmAdapter.targets(config) + ")");
    }
  }

  /** A Kronecker product of n x n rules with [width/n, dim/n] blocks: n divides both. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    ModelConfig model = run.getModel();
    int n = config.getPhmDim();
    if (model.hasClip()) {
      problems.divides("method.compacter.phm_dim", n, "model.clip.vision_width",
          model.getClip().getVisionWidth());
    } else {
      problems.divides("method.compacter.phm_dim", n, "model.vit.width",
          model.getVit().getWidth());
    }
    problems.divides("method.compacter.phm_dim", n, "method.compacter.dim", config.getDim());
    long width = model.hasClip() ? model.getClip().getVisionWidth() : model.getVit().getWidth();
    if (config.getDim() > width) {
      // a bottleneck: down maps the width to dim (the paper's reduction factor is at least 1)
      throw problems.at("method.compacter.dim", "bottleneck " + config.getDim()
          + " exceeds the width " + width + " it reduces; at most " + width);
    }
  }

  /**
   * Per adapter k (width + dim) values for down's factors and as many for up's, plus dim + width
   * biases with {@code bias}; the n^3 shared rules once. ViT-B/16 with the defaults:
   * 24 x 2 x 792 + 64 = 38,080 values, 152,320 bytes = 0.145 MB (Table I: 0.15).
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    List<SiteSurvey.Site> sites = AdapterAccounting.sites(model, "linear",
        PhmAdapter.targets(config));
    long r = config.getDim();
    long k = config.getPhmRank();
    long n = config.getPhmDim();
    long values = n * n * n;
    for (SiteSurvey.Site s : sites) {
      values += 2 * k * (s.out() + r);
      if (config.getBias()) {
        values += r + s.out();
      }
    }
    return Optional.of(new AdapterAccounting(sites.size(), sites.size(), values,
        AdapterStorage.matrixBytes(values, 0), 0));
  }

  /** The nonlinearity between down and up: nothing folds into a weight. */
  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph (the adapter's GELU cannot fold into a weight)";
  }

  /**
   * The trained adapters (positions, bottleneck width, n, k, biases), the shared rules, and the
   * stored size, counted as {@link #accounting} counts it.
   */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String prefix = variablePrefix();
    String downLeft = "/" + PhmAdapter.DOWN_LEFT;
    String downRight = "/" + PhmAdapter.DOWN_RIGHT;
    List<String> sites = new ArrayList<>();
    long dim = 0;
    long rank = 0;
    long n = 0;
    long values = 0;
    boolean biases = false;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(prefix)) {
        continue;
      }
      long[] shape = e.getValue();
      values += NamedTensor.elementCount(shape);
      biases |= name.endsWith("_bias");
      if (name.equals(prefix + PhmAdapter.RULE)) {
        n = shape[0];
      } else if (name.endsWith(downLeft)) {
        sites.add(name.substring(prefix.length(), name.length() - downLeft.length()));
        rank = shape[2];
      } else if (name.endsWith(downRight)) {
        dim = shape[0] * shape[2];
      }
    }
    out.line(String.format(Locale.ROOT, "  adapters: Compacter, dim %d, n %d, rank %d, %s,"
        + " float32; %d trained, one %dx%dx%d rule tensor shared by all: %s", dim, n, rank,
        biases ? "with biases" : "no biases", sites.size(), n, n, n, String.join(", ", sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", "compacter");
    a.addProperty("label", "Compacter");
    a.addProperty("dim", dim);
    a.addProperty("phm_dim", n);
    a.addProperty("phm_rank", rank);
    a.addProperty("bias", biases);
    a.addProperty("bits", 0);
    a.addProperty("precision", "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d adapters and the shared rules,"
        + " %,d bytes = %s MB (adapter weights only, MB = 2^20 bytes, as Pear's Table I counts)",
        sites.size(), bytes, AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
