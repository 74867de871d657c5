package tfpeft.peft.prompt;

import java.util.List;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * A prompt method's hooks, which the method can switch off while it builds the frozen model
 * beside the prompted one in the same graph (KgCoOp's hand-crafted class features, the frozen
 * text tower over the hand-crafted prompts). Switched on, it only passes through.
 */
final class PromptGate implements SiteHook {
  private final List<SiteHook> hooks;
  private boolean off;

  PromptGate(List<SiteHook> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  /** Builds {@code body} with the prompts left out, then puts them back. */
  <T> T without(Supplier<T> body) {
    boolean before = off;
    off = true;
    try {
      return body.get();
    } finally {
      off = before;
    }
  }

  @Override
  public Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    for (SiteHook h : on()) {
      weight = h.weight(net, site, weight);
    }
    return weight;
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    for (SiteHook h : on()) {
      output = h.linearOutput(net, site, input, output);
    }
    return output;
  }

  @Override
  public Operand<TFloat32> layerNormOutput(Net net, String site, Operand<TFloat32> output) {
    for (SiteHook h : on()) {
      output = h.layerNormOutput(net, site, output);
    }
    return output;
  }

  @Override
  public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
    for (SiteHook h : on()) {
      tokens = h.embeddings(net, site, tokens);
    }
    return tokens;
  }

  @Override
  public Operand<TFloat32> textEmbeddings(Net net, String site, Operand<TFloat32> tokens,
      Operand<TInt32> ids) {
    for (SiteHook h : on()) {
      tokens = h.textEmbeddings(net, site, tokens, ids);
    }
    return tokens;
  }

  @Override
  public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
    for (SiteHook h : on()) {
      tokens = h.blockInput(net, site, tokens);
    }
    return tokens;
  }

  @Override
  public Operand<TFloat32> mlpOutput(Net net, String site, Operand<TFloat32> residual,
      Operand<TFloat32> mlpOut) {
    for (SiteHook h : on()) {
      mlpOut = h.mlpOutput(net, site, residual, mlpOut);
    }
    return mlpOut;
  }

  private List<SiteHook> on() {
    return off ? List.of() : hooks;
  }
}
