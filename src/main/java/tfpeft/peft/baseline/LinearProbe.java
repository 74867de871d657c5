package tfpeft.peft.baseline;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

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

  @Override
  public boolean needsClip() {
    return false;
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** Only the head trains, and it is stored in float32. */
  @Override
  public StoredTensor stored(String variable) {
    if (!StoredTensor.isHead(variable)) {
      throw new IllegalStateException("linear_probe trains only head/, not " + variable);
    }
    return StoredTensor.float32(StoredTensor.Role.HEAD);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "nothing to fold";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return StoredTensor.isHead(variable);
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {}
}
