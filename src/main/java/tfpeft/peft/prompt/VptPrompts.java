package tfpeft.peft.prompt;

import tfpeft.TfpeftException;
import tfpeft.config.proto.VptConfig;
import tfpeft.config.proto.VptInit;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VisionTransformer;

/**
 * VPT-deep (Jia et al., ECCV 2022): n learnable tokens in the image tower at each of the first L
 * layers, on a ViT classifier or CLIP's image tower. Variable: {@code peft/vpt/prompts}
 * [L, n, D_vision]. The prompts start uniform in +-sqrt(6 / (3 p^2 + D)) (p the patch size, D
 * the width), as VPT's code draws them (a Xavier-uniform range over the patch embedding's fan-in
 * 3 p^2 and the width); {@code init: NORMAL} draws N(0, 0.02^2) instead, as the MuDPT code's VPT
 * baseline and the other prompt methods here. With {@code dropout} each
 * image's copy of the prompts goes through dropout while training, at every layer, as VPT's
 * {@code prompt_dropout} does.
 */
public final class VptPrompts {
  public static final String SCOPE = "peft/vpt/";

  private VptPrompts() {}

  /** The prompts' random start: VPT's uniform range, or N(0, 0.02^2). */
  static Init init(VptConfig c, VisionTransformer.Spec spec) {
    if (c.getInit() == VptInit.NORMAL) {
      return Init.normal(PromptStack.INIT_STD);
    }
    int p = spec.patchSize();
    return new Init.Uniform((float) Math.sqrt(6.0 / (3 * p * p + spec.blocks().width())));
  }

  /** Creates the prompts; attach {@link PromptSetup#hooks()} before the image tower is built. */
  public static PromptSetup build(Net net, VisionTransformer.Spec spec, VptConfig c) {
    int depth = spec.blocks().depth();
    if (c.getDepth() > depth) {
      throw TfpeftException.usage("method.vpt.depth: " + c.getDepth() + " exceeds the " + depth
          + " blocks of the image tower");
    }
    ModelVariable prompts = PromptStack.create(net, SCOPE + "prompts", c.getDepth(),
        c.getLength(), spec.blocks().width(), null, init(c, spec));
    return new PromptSetup(null, new VisualPrompts(PromptStack.layers(net, prompts.value()),
        depth, c.getDropout()), null);
  }
}
