package tfpeft.peft.baseline;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * CLIP as it comes: each class is the normalized, template-averaged text feature of its prompts
 * (Radford et al. 2021, section 3.1.4); nothing trains, the run only evaluates.
 */
public final class ZeroShot implements Method {
  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.ZERO_SHOT;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.TEXT_FEATURES;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of();
  }
}
