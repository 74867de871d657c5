package tfpeft.peft.prompt;

import tfpeft.TfpeftException;
import tfpeft.config.proto.VptConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VisionTransformer;

/**
 * VPT-deep (Jia et al., ECCV 2022): n learnable tokens in the image tower at each of the first L
 * layers, on a ViT classifier or CLIP's image tower. Variable: {@code peft/vpt/prompts}
 * [L, n, D_vision]. The prompts start from N(0, 0.02^2) like the other prompt methods here
 * (the VPT paper draws them uniformly in +-sqrt(6 / (3 p^2 + D))). With {@code dropout} each
 * image's copy of the prompts goes through dropout while training, at every layer, as VPT's
 * {@code prompt_dropout} does.
 */
public final class VptPrompts {
  public static final String SCOPE = "peft/vpt/";

  private VptPrompts() {}

  /** Creates the prompts; attach {@link PromptSetup#hooks()} before the image tower is built. */
  public static PromptSetup build(Net net, VisionTransformer.Spec spec, VptConfig c) {
    int depth = spec.blocks().depth();
    if (c.getDepth() > depth) {
      throw TfpeftException.usage("method.vpt.depth: " + c.getDepth() + " exceeds the " + depth
          + " blocks of the image tower");
    }
    ModelVariable prompts = PromptStack.create(net, SCOPE + "prompts", c.getDepth(),
        c.getLength(), spec.blocks().width(), null);
    return new PromptSetup(null, new VisualPrompts(PromptStack.layers(net, prompts.value()),
        depth, c.getDropout()), null);
  }
}
