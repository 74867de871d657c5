package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.model.SiteHook;

/**
 * An adapter method with one adapter per matched site, held in an {@link AdapterBank} (LoRA,
 * AdaptFormer, at full precision or 1 bit): the adapters and the head train; on CLIP the
 * classifier is the frozen text tower's class features. A subclass says which adapters it
 * builds and where.
 */
public abstract class SiteAdapterMethod implements Method {
  private AdapterBank bank;

  /** The shape (and precision) of every adapter. */
  protected abstract AdapterShape shape();

  /** The hook that attaches an adapter from {@code bank} to each site it matches. */
  protected abstract SiteHook hook(AdapterBank bank);

  /** The config error when no site of the model matched. */
  protected abstract String noSitesMessage();

  @Override
  public final List<SiteHook> hooks(MethodContext ctx) {
    bank = new AdapterBank(variablePrefix(), shape());
    return List.of(hook(bank));
  }

  @Override
  public final ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public final void afterBuild(MethodContext ctx) {
    if (bank.adapters().isEmpty()) {
      throw TfpeftException.usage(noSitesMessage());
    }
  }

  @Override
  public final List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  /** Adapter methods run on a ViT or on CLIP's vision tower alike. */
  @Override
  public final boolean needsClip() {
    return false;
  }

  @Override
  public final Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The head in float32; every other variable is an adapter matrix at the adapters' precision. */
  @Override
  public final StoredTensor stored(String variable) {
    return StoredTensor.isHead(variable) ? StoredTensor.float32(StoredTensor.Role.HEAD)
        : StoredTensor.adapter(shape().bits());
  }

  /** The adapters' scale (LoRA's alpha / r, AdaptFormer's s). */
  protected abstract float scale();

  /** The adapters' name for inspect ("LoRA") and what their inner width is called ("rank"). */
  protected abstract String label();

  protected abstract String widthName();

  @Override
  public final boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  @Override
  public final void inspect(TrainedState trained, InspectSummary out) {
    AdapterSummary.describe(out, label(), widthName(), shape(), scale(), variablePrefix(),
        trained.trained());
    AdapterSummary.adapterStorage(out, variablePrefix(), shape().bits(), trained.trained(), "");
  }

  /** The adapters built, in site order (after the graph is built). */
  public AdapterBank bank() {
    return bank;
  }
}
