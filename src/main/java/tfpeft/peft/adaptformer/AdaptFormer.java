package tfpeft.peft.adaptformer;

import com.google.gson.JsonObject;
import java.util.Optional;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.ConfigProblems;
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

  /** The branch is non-linear: nothing to fold into a weight. */
  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph";
  }

  /** Dim and scale are checked by the config validator; the sites when the hooks attach. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.of(AdapterAccounting.ofSites(AdapterAccounting.sites(model, "mlp",
        AdaptFormerBranch.TARGETS), AdaptFormerBranch.shape(config)));
  }

  @Override
  protected float scale() {
    return config.getScale();
  }

  @Override
  protected String label() {
    return "AdaptFormer";
  }

  @Override
  protected String widthName() {
    return "dim";
  }

  @Override
  protected String noSitesMessage() {
    return "method.adaptformer: the model has no vision block MLP (" + AdaptFormerBranch.TARGETS
        + ")";
  }
}
