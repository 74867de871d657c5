package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * A method whose own variables (under {@link #variablePrefix()}) and the head train, all stored
 * in float32: the answers Adapter-P, Compacter, FourierFT and MoRA share. On CLIP the classifier
 * is the frozen text tower's class features; the method runs on a ViT or CLIP's vision tower
 * alike; its artifact holds its variables (role adapter) and the head.
 */
public abstract class FloatAdapterMethod implements Method {
  @Override
  public final ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public final List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  @Override
  public final boolean needsClip() {
    return false;
  }

  @Override
  public final Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head in float32; every other variable is an adapter weight in float32. */
  @Override
  public final StoredTensor stored(String variable) {
    return StoredTensor.isHead(variable) ? StoredTensor.float32(StoredTensor.Role.HEAD)
        : StoredTensor.adapter(0);
  }

  @Override
  public final boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }
}
