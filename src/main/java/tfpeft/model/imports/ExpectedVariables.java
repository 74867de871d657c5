package tfpeft.model.imports;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * The variables tfpeft's graph of an architecture has, by name and shape, in creation order:
 * found by building the graph, so the coverage check can never disagree with the model that the
 * weights are later assigned to.
 */
final class ExpectedVariables {
  private ExpectedVariables() {}

  /**
   * The backbone/ variables of {@code model}, and the head/ variables of a {@code headClasses}-way
   * ViT head when {@code headClasses > 0}.
   */
  static Map<String, long[]> of(ModelConfig model, int headClasses) {
    Map<String, long[]> out = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      BuiltModel.build(net, model, Math.max(1, headClasses), false);
      for (ModelVariable v : net.variables()) {
        if (v.name().startsWith("backbone/") || headClasses > 0 && v.name().startsWith("head/")) {
          out.put(v.name(), v.shape().asArray());
        }
      }
    }
    return out;
  }
}
