package tfpeft.peft.baseline;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * Only a linear head trains, on the frozen backbone's features (for CLIP, on the L2-normalized
 * image features).
 */
public final class LinearProbe implements Method {
  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.LINEAR_PROBE;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of("head/");
  }
}
