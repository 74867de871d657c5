package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.VptConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.SiteHook;
import tfpeft.model.VisionTransformer;
import tfpeft.model.VitClassifier;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * VPT-deep in a run. On CLIP the prompts under {@code peft/vpt/} train and classes are scored
 * by the frozen text tower's template features (computed once, not every step); on a ViT the
 * prompts and the head train, as in the VPT paper.
 */
public final class VptMethod implements Method {
  private final VptConfig config;

  public VptMethod(VptConfig config) {
    this.config = config;
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.VPT;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    var model = ctx.config().getModel();
    VisionTransformer.Spec spec = model.hasClip() ? ClipModel.spec(model.getClip()).vision()
        : VitClassifier.spec(model.getVit());
    return VptPrompts.build(ctx.net(), spec, config).hooks();
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return ctx.clip() ? List.of(variablePrefix()) : List.of(variablePrefix(), "head/");
  }
}
