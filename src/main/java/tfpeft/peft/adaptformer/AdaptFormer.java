package tfpeft.peft.adaptformer;

import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * AdaptFormer (and 1-bit "Bi-AdaptFormer") as a method: the bottleneck branches and the head
 * train; for CLIP the classifier is the frozen text tower's class features. The branch is
 * non-linear, so export keeps it as it is.
 */
public final class AdaptFormer implements Method {
  private final AdaptFormerConfig config;
  private AdapterBank bank;

  public AdaptFormer(MethodConfig c) {
    this.config = c.getAdaptformer();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.ADAPTFORMER;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    bank = new AdapterBank(variablePrefix(), AdaptFormerBranch.shape(config));
    return List.of(AdaptFormerBranch.of(config, bank));
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (bank.adapters().isEmpty()) {
      throw TfpeftException.usage("method.adaptformer: the model has no vision block MLP ("
          + AdaptFormerBranch.TARGETS + ")");
    }
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  public AdapterBank bank() {
    return bank;
  }
}
