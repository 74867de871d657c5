package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.SiteHook;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * CoOp in a run: the context under {@code peft/coop/} trains, CLIP stays frozen, and the class
 * features are computed by the text tower every step so that the loss reaches the context.
 */
public final class CoopMethod implements Method {
  private final CoopConfig config;
  private ContextPrompt prompt;

  public CoopMethod(CoopConfig config) {
    this.config = config;
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.COOP;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    RunConfig c = ctx.config();
    TextContext text = TextContext.of(ctx, config.getInit());
    PromptSetup setup = CoopPrompts.build(ctx.net(), ClipModel.spec(c.getModel().getClip()),
        config, text.tokenizer(), text.tokenTable());
    prompt = setup.prompt();
    return setup.hooks();
  }

  /** The method's own prompt, or the given templates if each has room for the context. */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    return TextContext.templates(ctx, prompt, "method.coop");
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.TEXT_ENCODER;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix());
  }
}
