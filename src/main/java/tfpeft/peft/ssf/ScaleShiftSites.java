package tfpeft.peft.ssf;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.SsfConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * Where SSF scales and shifts: the Linear and LayerNorm sites its patterns match, each with the
 * width of its output and whether export can fold the pair into the backbone. One rule for the
 * hook, the storage accounting and export.
 */
public final class ScaleShiftSites {
  /**
   * The official code's placement (its VisionTransformer with tuning_mode 'ssf'): the patch
   * embedding, every vision block's q, k, v, out, fc1, fc2, ln1 and ln2, and the final LayerNorm.
   */
  public static final List<String> DEFAULT_TARGETS = List.of("patch_embed", "block*/attn/?",
      "block*/attn/out", "block*/mlp/fc?", "block*/ln?", "norm");

  /** The patch embedding's site: without a bias its shift folds into the position embedding. */
  static final String PATCH_EMBED = "patch_embed";

  /** A scaled and shifted site: a Linear's or a LayerNorm's output of {@code width} channels. */
  public record Position(String site, boolean layerNorm, long width) {}

  private ScaleShiftSites() {}

  public static SitePatterns targets(SsfConfig c) {
    return new SitePatterns(c.getTargetsCount() == 0 ? DEFAULT_TARGETS : c.getTargetsList());
  }

  /**
   * The positions {@code config} targets on {@code model}, in build order, from a scratch build
   * of the backbone (no session, no values), so they follow the model's own naming.
   */
  public static List<Position> of(ModelConfig model, SsfConfig config) {
    return survey(model, config).positions();
  }

  /**
   * Whether export can fold every targeted pair into the backbone on {@code model}: a Linear
   * takes the shift in its bias, the patch embedding without one in the position embedding; a
   * LayerNorm always takes both in its affine.
   */
  public static boolean foldable(ModelConfig model, SsfConfig config) {
    return survey(model, config).foldable();
  }

  private record Survey(List<Position> positions, boolean foldable) {}

  private static Survey survey(ModelConfig model, SsfConfig config) {
    SitePatterns targets = targets(config);
    List<Position> positions = new ArrayList<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      net.addHook(new SiteHook() {
        @Override
        public Operand<TFloat32> linearOutput(Net n, String site, Operand<TFloat32> input,
            Operand<TFloat32> output) {
          if (targets.matches(site)) {
            positions.add(new Position(site, false, Shapes.lastDim(output, site)));
          }
          return output;
        }

        @Override
        public Operand<TFloat32> layerNormOutput(Net n, String site, Operand<TFloat32> output) {
          if (targets.matches(site)) {
            positions.add(new Position(site, true, Shapes.lastDim(output, site)));
          }
          return output;
        }
      });
      BuiltModel.build(net, model, 2, false);
      boolean foldable = true;
      for (Position p : positions) {
        foldable &= p.layerNorm() || p.site().equals(PATCH_EMBED)
            || !net.variables(ScaleShiftFold.BACKBONE + p.site() + "/bias").isEmpty();
      }
      return new Survey(List.copyOf(positions), foldable);
    }
  }
}
