package tfpeft.peft.prograd;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;

/**
 * A site hook that can be switched off while part of the graph is built: with the prompts' hooks
 * off, the text tower is built as the frozen zero-shot CLIP that ProGrad distills from.
 */
final class SwitchableHook implements SiteHook {
  private final SiteHook hook;
  private boolean off;

  SwitchableHook(SiteHook hook) {
    this.hook = hook;
  }

  void off(boolean off) {
    this.off = off;
  }

  @Override
  public Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    return off ? weight : hook.weight(net, site, weight);
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    return off ? output : hook.linearOutput(net, site, input, output);
  }

  @Override
  public Operand<TFloat32> layerNormOutput(Net net, String site, Operand<TFloat32> output) {
    return off ? output : hook.layerNormOutput(net, site, output);
  }

  @Override
  public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
    return off ? tokens : hook.embeddings(net, site, tokens);
  }

  @Override
  public Operand<TFloat32> textEmbeddings(Net net, String site, Operand<TFloat32> tokens,
      Operand<TInt32> ids) {
    return off ? tokens : hook.textEmbeddings(net, site, tokens, ids);
  }

  @Override
  public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
    return off ? tokens : hook.blockInput(net, site, tokens);
  }

  @Override
  public Operand<TFloat32> mlpOutput(Net net, String site, Operand<TFloat32> residual,
      Operand<TFloat32> mlpOut) {
    return off ? mlpOut : hook.mlpOutput(net, site, residual, mlpOut);
  }
}
