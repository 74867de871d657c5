package tfpeft.peft.baseline;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * Every weight trains: the backbone and the head of a ViT; both towers of a CLIP, which
 * classifies by the text features of the class prompts, computed in the graph every step so the
 * text tower learns too.
 */
public final class FullFinetune implements Method {
  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.FULL_FINETUNE;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_ENCODER : ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of("backbone/", "head/");
  }
}
