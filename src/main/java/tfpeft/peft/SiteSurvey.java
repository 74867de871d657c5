package tfpeft.peft;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * The sites of a backbone and their widths, found by building it once in a scratch graph with a
 * hook that only records. A method that must know every position before the first one is built
 * (Pear routes each position to any adapter) asks here instead of repeating the backbone's naming.
 */
public final class SiteSurvey {
  /**
   * A site in build order: a Linear ({@code kind} "linear", in -> out), an MLP ("mlp", d -> d)
   * or a LayerNorm ("layer_norm", d -> d).
   */
  public record Site(String name, String kind, long in, long out) {}

  private SiteSurvey() {}

  public static List<Site> of(ModelConfig model) {
    List<Site> sites = new ArrayList<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      net.addHook(new SiteHook() {
        @Override
        public Operand<TFloat32> linearOutput(Net n, String site, Operand<TFloat32> input,
            Operand<TFloat32> output) {
          sites.add(new Site(site, "linear", Shapes.lastDim(input, site),
              Shapes.lastDim(output, site)));
          return output;
        }

        @Override
        public Operand<TFloat32> layerNormOutput(Net n, String site, Operand<TFloat32> output) {
          long d = Shapes.lastDim(output, site);
          sites.add(new Site(site, "layer_norm", d, d));
          return output;
        }

        @Override
        public Operand<TFloat32> mlpOutput(Net n, String site, Operand<TFloat32> residual,
            Operand<TFloat32> mlpOut) {
          long d = Shapes.lastDim(residual, site);
          sites.add(new Site(site, "mlp", d, d));
          return mlpOut;
        }
      });
      BuiltModel.build(net, model, 2, false);
    }
    return sites;
  }
}
