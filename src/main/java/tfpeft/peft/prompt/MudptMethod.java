package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.SiteHook;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * MuDPT (or MaPLe-style coupling) in a run: the text and visual prompts and the Injection Model
 * under {@code peft/mudpt/} train, CLIP stays frozen, and the class features are computed by
 * the text tower every step.
 */
public final class MudptMethod implements Method {
  private final MudptConfig config;
  private ContextPrompt prompt;

  public MudptMethod(MudptConfig config) {
    this.config = config;
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.MUDPT;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    RunConfig c = ctx.config();
    TextContext text = TextContext.of(ctx, config.getInit());
    PromptSetup setup = MudptPrompts.build(ctx.net(), ClipModel.spec(c.getModel().getClip()),
        config, text.tokenizer(), text.tokenTable());
    prompt = setup.prompt();
    return setup.hooks();
  }

  /** The method's own prompt, or the given templates if each has room for the context. */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    return TextContext.templates(ctx, prompt, "method.mudpt");
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
