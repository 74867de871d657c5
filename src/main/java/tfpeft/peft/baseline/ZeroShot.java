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
 * CLIP as it comes: each class is the normalized, template-averaged text feature of its prompts
 * (Radford et al. 2021, section 3.1.4); nothing trains, the run only evaluates.
 */
public final class ZeroShot extends NoArtifactMethod {
  public ZeroShot() {
    super("trains nothing; the base model alone is the classifier");
  }

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

  /** The classifier is the text tower's features of the class prompts. */
  @Override
  public boolean needsClip() {
    return true;
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return false;
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {}
}
