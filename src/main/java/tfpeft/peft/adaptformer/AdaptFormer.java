package tfpeft.peft.adaptformer;

import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.SiteAdapterMethod;

/**
 * AdaptFormer (and 1-bit "Bi-AdaptFormer") as a method: the bottleneck branches and the head
 * train; for CLIP the classifier is the frozen text tower's class features. The branch is
 * non-linear, so export keeps it as it is.
 */
public final class AdaptFormer extends SiteAdapterMethod {
  private final AdaptFormerConfig config;

  public AdaptFormer(MethodConfig c) {
    this.config = c.getAdaptformer();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.ADAPTFORMER;
  }

  @Override
  protected AdapterShape shape() {
    return AdaptFormerBranch.shape(config);
  }

  @Override
  protected SiteHook hook(AdapterBank bank) {
    return AdaptFormerBranch.of(config, bank);
  }

  @Override
  protected String noSitesMessage() {
    return "method.adaptformer: the model has no vision block MLP (" + AdaptFormerBranch.TARGETS
        + ")";
  }
}
