package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.SiteHook;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.train.ClassPrompts;

/**
 * CoOp in a run: the context under {@code peft/coop/} trains, CLIP stays frozen, and the class
 * features are computed by the text tower every step so that the loss reaches the context.
 */
public final class CoopMethod implements Method {
  private final CoopConfig config;

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
    ClipTokenizer tokenizer = ClassPrompts.tokenizer(c);
    PromptSetup setup = CoopPrompts.build(ctx.net(), ClipModel.spec(c.getModel().getClip()),
        config, tokenizer, TextContext.tokenTable(c, config.getInit()));
    TextContext.checkTemplates(c, tokenizer, setup.prompt(), "method.coop");
    return setup.hooks();
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
