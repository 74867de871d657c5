package tfpeft.peft.prompt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * Text prompts of depth L in CLIP's text tower. Layer 0 (CoOp's context) replaces the token
 * embeddings at positions 1..n, after the start token and before the position embeddings are
 * added; the class name, "." and the end token follow. Layer i (1 &lt;= i &lt; L) replaces the
 * hidden states at the same positions where they enter block i. From block L on, whatever the
 * blocks made of those positions flows on.
 */
public final class TextPrompts implements SiteHook {
  /** Where the prompts start: after the start-of-text token. */
  public static final int FIRST_POSITION = 1;

  private final List<Operand<TFloat32>> layers;
  private final Map<String, Integer> blockInputs = new HashMap<>();

  /**
   * @param layers the prompts of each layer, [n, D] each, layer 0 first
   * @param textDepth blocks of the text tower; L may not exceed it
   */
  public TextPrompts(List<Operand<TFloat32>> layers, int textDepth) {
    if (layers.isEmpty() || layers.size() > textDepth) {
      throw new IllegalArgumentException("text prompt depth " + layers.size()
          + " must be in 1.." + textDepth);
    }
    this.layers = List.copyOf(layers);
    for (int i = 1; i < layers.size(); i++) {
      blockInputs.put("text/block" + i + "/in", i);
    }
  }

  /** n, the prompts per layer. */
  public int length() {
    return (int) layers.get(0).shape().get(0);
  }

  public int depth() {
    return layers.size();
  }

  @Override
  public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
    if (!site.equals("text/token_embed")) {
      return tokens;
    }
    return TokenSlots.replace(net.tf(), tokens, FIRST_POSITION, layers.get(0));
  }

  @Override
  public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
    Integer layer = blockInputs.get(site);
    if (layer == null) {
      return tokens;
    }
    return TokenSlots.replace(net.tf(), tokens, FIRST_POSITION, layers.get(layer));
  }
}
