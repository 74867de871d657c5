package tfpeft.peft.bitfit;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
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
 * BitFit as a method: the image encoder's bias terms ({@link BiasSelection}) and the head train,
 * everything else stays as loaded. On CLIP the classifier is the frozen text tower's class
 * features, as for the adapter methods. The trained biases are the method's stored weights: an
 * adapter artifact holds them in float32 (Pear's Table I counts them as BitFit's storage), and
 * export serves the plain backbone holding them, so there is nothing to keep beside it.
 */
public final class BitFit implements Method {
  /** What the storage accounting and inspect call one stored tensor. */
  static final String UNIT = "bias vectors";

  private final BitFitConfig config;
  private final BiasSelection selection;

  public BitFit(MethodConfig c) {
    this.config = c.getBitfit();
    this.selection = new BiasSelection(config);
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.BITFIT;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  /** A model without the layer that method.bitfit.pre_logits asks for is a config error. */
  @Override
  public void afterBuild(MethodContext ctx) {
    if (config.getPreLogits() && ctx.net().variables(BiasSelection.PRE_LOGITS_BIAS).isEmpty()) {
      throw TfpeftException.usage("method.bitfit.pre_logits: the model has no pre-logits layer"
          + " (model.vit.pre_logits is false, or the model is CLIP); leave pre_logits out");
    }
  }

  /** The selected biases by their full names (each selects itself alone), and the head. */
  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    List<String> names = new ArrayList<>();
    for (ModelVariable v : selection.of(ctx.net())) {
      names.add(v.name());
    }
    names.add("head/");
    return names;
  }

  /** BitFit runs on a ViT or on CLIP's image tower alike. */
  @Override
  public boolean needsClip() {
    return false;
  }

  /** Its two switches hold for any model; pre_logits is checked against the built model. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head, and every trained bias as an adapter weight, both in float32. */
  @Override
  public StoredTensor stored(String variable) {
    if (StoredTensor.isHead(variable)) {
      return StoredTensor.float32(StoredTensor.Role.HEAD);
    }
    if (!selection.selects(variable)) {
      throw new IllegalStateException("bitfit does not train " + variable);
    }
    return StoredTensor.float32(StoredTensor.Role.ADAPTER);
  }

  /** One float32 bias vector per selected bias: 102,912 values = 0.39 MB on ViT-B/16. */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    List<Long> sizes = selection.sizes(model);
    long values = sizes.stream().mapToLong(Long::longValue).sum();
    return Optional.of(new AdapterAccounting(sizes.size(), sizes.size(), values,
        AdapterStorage.matrixBytes(values, 0), 0, UNIT));
  }

  /** Nothing sits beside the backbone: its biases hold what was trained. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return true;
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "trained biases in the backbone, served as the plain backbone";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return StoredTensor.isHead(variable) || selection.selects(variable);
  }

  /**
   * The trained biases (how many are LayerNorm's, how many values) and their stored size, as
   * the storage accounting counts it.
   */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    int vectors = 0;
    int layerNorm = 0;
    long values = 0;
    for (Map.Entry<String, long[]> e : trained.trained().entrySet()) {
      if (selection.selects(e.getKey())) {
        vectors++;
        layerNorm += BiasSelection.isLayerNormBias(e.getKey()) ? 1 : 0;
        values += NamedTensor.elementCount(e.getValue());
      }
    }
    out.line(String.format(Locale.ROOT, "  biases: %d trained (%d Linear, %d LayerNorm),"
        + " %,d values, float32%s", vectors, vectors - layerNorm, layerNorm, values,
        config.getPreLogits() ? ", the pre-logits bias included" : ""));
    JsonObject b = new JsonObject();
    b.addProperty("vectors", vectors);
    b.addProperty("layer_norm", layerNorm);
    b.addProperty("values", values);
    out.put("biases", b);
    long bytes = AdapterStorage.matrixBytes(values, 0);
    out.storageLine(String.format(Locale.ROOT, "  stored: %d %s, %,d bytes = %s MB (adapter"
        + " weights only, MB = 2^20 bytes, as Pear's Table I counts)", vectors, UNIT, bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }
}
