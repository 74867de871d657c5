package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a PEFT method does at the backbone's sites. The backbone calls every registered hook at
 * every site and never knows which method is active; each hook matches site names itself. All
 * methods default to "leave it as it is".
 */
public interface SiteHook {
  /** The effective weight of a Linear site (a mask multiplies it). */
  default Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    return weight;
  }

  /** The output of a Linear site given its input (LoRA adds a low-rank path). */
  default Operand<TFloat32> linearOutput(
      Net net, String site, Operand<TFloat32> input, Operand<TFloat32> output) {
    return output;
  }

  /**
   * The output of a LayerNorm site ({@code <block>/ln1|ln2}, {@code norm}, {@code ln_pre},
   * {@code text/...}) after its own affine (SSF scales and shifts it).
   */
  default Operand<TFloat32> layerNormOutput(Net net, String site, Operand<TFloat32> output) {
    return output;
  }

  /**
   * The token sequence [N, L, D] of a tower before its first block, at {@code embed} (vision:
   * class and patch tokens with their position embeddings, before ln_pre) or
   * {@code text/token_embed} (text: token embeddings before the position embeddings are added).
   * A hook may replace tokens or append some (vision only: the text tower's causal mask and
   * end-of-text pooling fix its length); the length must stay known when the graph is built.
   */
  default Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
    return tokens;
  }

  /**
   * The text tower's token embeddings [N, L, D] at {@code text/token_embed}, with the token ids
   * [N, L] they embed, for a hook whose tokens' places differ from prompt to prompt (CoOp's
   * context around the class name: where the end token is). By default {@link #embeddings}.
   */
  default Operand<TFloat32> textEmbeddings(Net net, String site, Operand<TFloat32> tokens,
      Operand<TInt32> ids) {
    return embeddings(net, site, tokens);
  }

  /**
   * The tokens [N, L, D] entering a block (prompt methods replace tokens). The length must stay
   * known when the graph is built.
   */
  default Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
    return tokens;
  }

  /**
   * The MLP branch of a block: {@code residual} is the stream before the second LayerNorm,
   * {@code mlpOut} the MLP's output (AdaptFormer adds a parallel bottleneck branch).
   */
  default Operand<TFloat32> mlpOutput(
      Net net, String site, Operand<TFloat32> residual, Operand<TFloat32> mlpOut) {
    return mlpOut;
  }
}
