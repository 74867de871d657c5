package tfpeft.peft.prompt;

import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.Method;

/**
 * The prompt family's factories, one per config member, which the registry lists like every
 * other method's: coop, vpt and mudpt (with MaPLe-style coupling).
 */
public final class PromptMethods {
  private PromptMethods() {}

  public static Method coop(MethodConfig c) {
    return TextPromptMethod.coop(c.getCoop());
  }

  public static Method vpt(MethodConfig c) {
    return new VptMethod(c.getVpt());
  }

  public static Method mudpt(MethodConfig c) {
    return TextPromptMethod.mudpt(c.getMudpt());
  }
}
