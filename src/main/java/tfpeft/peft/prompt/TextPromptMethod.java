package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * A method whose learned context takes the place of tokens in the class prompts, in a run:
 * CoOp (the context under {@code peft/coop/}) and MuDPT or MaPLe-style coupling (text and visual
 * prompts and the Injection Model under {@code peft/mudpt/}). Only the prompts train, CLIP stays
 * frozen, and the class features are computed by the text tower every step so that the loss
 * reaches the context. The two differ only in how their prompts are built.
 */
final class TextPromptMethod implements Method {
  /** Builds a method's prompts and the hooks that place them. */
  interface Prompts {
    PromptSetup build(Net net, ClipModel.Spec spec, ClipTokenizer tokenizer, float[] tokenTable);
  }

  private final MethodConfig.MethodCase kind;
  private final String init;
  private final Prompts prompts;
  private ContextPrompt prompt;

  private TextPromptMethod(MethodConfig.MethodCase kind, String init, Prompts prompts) {
    this.kind = kind;
    this.init = init;
    this.prompts = prompts;
  }

  static TextPromptMethod coop(CoopConfig c) {
    return new TextPromptMethod(MethodConfig.MethodCase.COOP, c.getInit(),
        (net, spec, tokenizer, table) -> CoopPrompts.build(net, spec, c, tokenizer, table));
  }

  static TextPromptMethod mudpt(MudptConfig c) {
    return new TextPromptMethod(MethodConfig.MethodCase.MUDPT, c.getInit(),
        (net, spec, tokenizer, table) -> MudptPrompts.build(net, spec, c, tokenizer, table));
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return kind;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    TextContext text = TextContext.of(ctx, init);
    PromptSetup setup = prompts.build(ctx.net(), ClipModel.spec(ctx.config().getModel()
        .getClip()), text.tokenizer(), text.tokenTable());
    prompt = setup.prompt();
    return setup.hooks();
  }

  /** The method's own prompt, or the given templates if each has room for the context. */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    return TextContext.templates(ctx, prompt, "method." + name());
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
