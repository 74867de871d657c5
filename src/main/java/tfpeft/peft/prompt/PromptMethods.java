package tfpeft.peft.prompt;

import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.MethodRegistry;

/** The prompt family's registration: coop, vpt and mudpt (with MaPLe-style coupling). */
public final class PromptMethods {
  private PromptMethods() {}

  public static MethodRegistry register(MethodRegistry r) {
    r.register(MethodConfig.MethodCase.COOP, c -> new CoopMethod(c.getCoop()));
    r.register(MethodConfig.MethodCase.VPT, c -> new VptMethod(c.getVpt()));
    r.register(MethodConfig.MethodCase.MUDPT, c -> new MudptMethod(c.getMudpt()));
    return r;
  }
}
