package tfpeft.peft.prompt;

import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.MethodRegistry;

/** The prompt family's registration: coop, vpt and mudpt (with MaPLe-style coupling). */
public final class PromptMethods {
  private PromptMethods() {}

  public static MethodRegistry register(MethodRegistry r) {
    r.register(MethodConfig.MethodCase.COOP, c -> TextPromptMethod.coop(c.getCoop()));
    r.register(MethodConfig.MethodCase.VPT, c -> new VptMethod(c.getVpt()));
    r.register(MethodConfig.MethodCase.MUDPT, c -> TextPromptMethod.mudpt(c.getMudpt()));
    return r;
  }
}
