package tfpeft.peft.baseline;

import com.google.gson.JsonObject;
import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.MethodContext;
import tfpeft.peft.NoArtifactMethod;
import tfpeft.peft.TrainedState;

/**
 * Every weight trains: the backbone and the head of a ViT; both towers of a CLIP, which
 * classifies by the text features of the class prompts, computed in the graph every step so the
 * text tower learns too.
 */
public final class FullFinetune extends NoArtifactMethod {
  public FullFinetune() {
    super("trains the whole backbone; export a SavedModel of the run instead");
  }

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

  @Override
  public boolean needsClip() {
    return false;
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  /** Everything it has trains: backbone and head. */
  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return true;
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {}
}
