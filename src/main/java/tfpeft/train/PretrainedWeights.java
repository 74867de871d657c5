package tfpeft.train;

import java.nio.file.Path;
import org.tensorflow.Session;
import tfpeft.config.Defaults;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.Net;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;

/**
 * The pretrained weights a run starts from (model.weights), loaded through
 * {@link Backbones#load}, and the config the run really has: with weights, the architecture is
 * the one they come with (what the config leaves out is taken from them; what it states must
 * agree), so the graph is built from that.
 */
final class PretrainedWeights {
  private final RunConfig config;
  private final LoadedBackbone backbone;

  private PretrainedWeights(RunConfig config, LoadedBackbone backbone) {
    this.config = config;
    this.backbone = backbone;
  }

  /**
   * @param written the config as written (file and --set): only the model fields it sets are
   *     requests to the weights
   */
  static PretrainedWeights load(RunConfig written) {
    RunConfig resolved = Defaults.fill(written);
    if (resolved.getModel().getWeights().getPath().isEmpty()) {
      return new PretrainedWeights(resolved, null);
    }
    LoadedBackbone b = Backbones.load(resolved.getModel().getWeights(), written.getModel());
    RunConfig.Builder c = resolved.toBuilder();
    c.setModel(b.model().toBuilder().setWeights(resolved.getModel().getWeights()));
    return new PretrainedWeights(Defaults.fill(c.build()), b);
  }

  /**
   * No pretrained weights for a model whose every variable comes from elsewhere (a run's
   * checkpoint): {@code resolved} is taken as it is.
   */
  static PretrainedWeights none(RunConfig resolved) {
    return new PretrainedWeights(resolved, null);
  }

  /** The resolved config with the architecture of the weights. */
  RunConfig config() {
    return config;
  }

  /** The tokenizer vocabulary that came with CLIP weights, or null. */
  Path vocabulary() {
    return backbone == null ? null : backbone.vocab();
  }

  /** The pretrained value of variable {@code name}, or null (no weights, or not among them). */
  float[] tensor(String name) {
    return backbone == null ? null : backbone.tensors().get(name);
  }

  /** Assigns the weights to the backbone (and a matching head); says where the run starts. */
  String assign(Session s, Net net) {
    if (backbone == null) {
      return "random initialization (seed " + config.getSeed() + ")";
    }
    backbone.assignTo(s, net);
    return String.format("%s (%s, %,d backbone parameters)", backbone.report().source(),
        backbone.report().layout(), backbone.parameterCount());
  }
}
