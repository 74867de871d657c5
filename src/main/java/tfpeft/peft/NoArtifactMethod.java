package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.Optional;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;

/**
 * A method whose trained state is no adapter artifact (full fine-tuning trains the backbone,
 * zero-shot trains nothing, TIP-Adapter keeps a feature cache): the artifact answers are the
 * refusal it gives, no tensor to store, no storage to account and nothing to fold. Choosing
 * this base is the method's answer; the other questions it still answers itself.
 */
public abstract class NoArtifactMethod implements Method {
  private final String refusal;

  /** @param refusal why the method has no artifact, as export prints it */
  protected NoArtifactMethod(String refusal) {
    this.refusal = refusal;
  }

  @Override
  public final Optional<String> artifactRefusal() {
    return Optional.of(refusal);
  }

  @Override
  public final StoredTensor stored(String variable) {
    throw new IllegalStateException(name() + " has no adapter artifact (" + refusal + ")");
  }

  @Override
  public final Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public final String foldingDescription(RunConfig config) {
    return "nothing to fold";
  }
}
