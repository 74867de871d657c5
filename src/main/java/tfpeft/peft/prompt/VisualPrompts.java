package tfpeft.peft.prompt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterDropout;

/**
 * Visual prompts of depth L in a vision transformer (VPT-deep; the visual side of MuDPT and
 * MaPLe). Layer 0 is appended after the patch tokens, after the position embedding and before
 * ln_pre, so the image tower carries n more tokens from then on; layer i (1 &lt;= i &lt; L)
 * replaces those last n tokens where they enter block i. From block L on they flow on. The class
 * token stays at position 0, so pooling is unchanged.
 */
public final class VisualPrompts implements SiteHook {
  private final List<Operand<TFloat32>> layers;
  private final Map<String, Integer> blockInputs = new HashMap<>();
  private final float dropout;

  /**
   * @param layers the prompts of each layer, [n, D] each, layer 0 first
   * @param visionDepth blocks of the image tower; L may not exceed it
   */
  public VisualPrompts(List<Operand<TFloat32>> layers, int visionDepth) {
    this(layers, visionDepth, 0f);
  }

  /**
   * @param dropout rate of the dropout on the prompts while training (VPT's prompt dropout):
   *     each image gets its own mask over its copy of every layer's prompts
   */
  public VisualPrompts(List<Operand<TFloat32>> layers, int visionDepth, float dropout) {
    this.dropout = dropout;
    if (layers.isEmpty() || layers.size() > visionDepth) {
      throw new IllegalArgumentException("visual prompt depth " + layers.size()
          + " must be in 1.." + visionDepth);
    }
    this.layers = List.copyOf(layers);
    for (int i = 1; i < layers.size(); i++) {
      blockInputs.put("block" + i + "/in", i);
    }
  }

  public int length() {
    return (int) layers.get(0).shape().get(0);
  }

  public int depth() {
    return layers.size();
  }

  @Override
  public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
    if (!site.equals("embed")) {
      return tokens;
    }
    return TokenSlots.appendRows(net.tf(), tokens, rows(net, tokens, layers.get(0)));
  }

  @Override
  public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
    Integer layer = blockInputs.get(site);
    if (layer == null) {
      return tokens;
    }
    return TokenSlots.replaceLastRows(net.tf(), tokens, rows(net, tokens, layers.get(layer)));
  }

  /**
   * One copy of a layer's prompts per image, [N, n, D], with inverted dropout while the graph's
   * training flag is on (a stateless mask keyed by the step seed, so a resumed run draws the
   * same); without dropout the copies are the prompts themselves.
   */
  private Operand<TFloat32> rows(Net net, Operand<TFloat32> tokens, Operand<TFloat32> prompts) {
    Operand<TFloat32> rows = TokenSlots.perRow(net.tf(), tokens, prompts);
    return dropout > 0 ? AdapterDropout.apply(net, rows, dropout) : rows;
  }
}
