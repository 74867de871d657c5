package tfpeft.peft.bitfit;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * Which backbone variables BitFit trains, by name: the image encoder's Linear biases
 * ({@code /bias}) and, with {@code layer_norm}, its LayerNorm biases ({@code /beta}); never the
 * text tower's (CLIP classifies with its frozen class features) and the pre-logits layer's only
 * with {@code pre_logits}. One rule for the trainer, inspect and the storage accounting.
 */
final class BiasSelection {
  static final String BACKBONE = "backbone/";
  static final String TEXT_TOWER = "backbone/text/";
  static final String PRE_LOGITS_BIAS = "backbone/pre_logits/bias";
  static final String LINEAR_BIAS = "/bias";
  static final String LAYER_NORM_BIAS = "/beta";

  private final BitFitConfig config;

  BiasSelection(BitFitConfig config) {
    this.config = config;
  }

  /** Whether BitFit trains the variable {@code name}. */
  boolean selects(String name) {
    if (!name.startsWith(BACKBONE) || name.startsWith(TEXT_TOWER)) {
      return false;
    }
    if (name.equals(PRE_LOGITS_BIAS)) {
      return config.getPreLogits();
    }
    return name.endsWith(LINEAR_BIAS) || (config.getLayerNorm() && isLayerNormBias(name));
  }

  static boolean isLayerNormBias(String name) {
    return name.endsWith(LAYER_NORM_BIAS);
  }

  /** The selected variables of a built net, in creation order. */
  List<ModelVariable> of(Net net) {
    return net.variables(BACKBONE).stream().filter(v -> selects(v.name())).toList();
  }

  /**
   * The selected variables' element counts on {@code model}, from the config alone: the backbone
   * is built once in a scratch graph (no session, no values), so the count follows the model's
   * own naming rather than repeating it.
   */
  List<Long> sizes(ModelConfig model) {
    List<Long> sizes = new ArrayList<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      BuiltModel.build(net, model, 2, false);
      for (ModelVariable v : of(net)) {
        sizes.add(v.shape().size());
      }
    }
    return sizes;
  }
}
