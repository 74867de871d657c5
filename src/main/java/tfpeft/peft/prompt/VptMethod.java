package tfpeft.peft.prompt;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.VptConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.SiteHook;
import tfpeft.model.VisionTransformer;
import tfpeft.model.VitClassifier;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * VPT in a run: VPT-deep, or VPT-shallow at depth 1 (prompts at the input only; VPT's code
 * builds the shallow variant as the deep one's first layer, with the same start and dropout). On
 * CLIP the prompts under {@code peft/vpt/} train and classes are scored by the frozen text
 * tower's template features (computed once, not every step); on a ViT the prompts and the head
 * train, as in the VPT paper.
 */
public final class VptMethod implements Method {
  /** What the storage accounting calls one stored tensor group: a layer's prompts. */
  static final String PROMPT_LAYERS = "prompt layers";

  private final VptConfig config;

  public VptMethod(VptConfig config) {
    this.config = config;
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.VPT;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    var model = ctx.config().getModel();
    VisionTransformer.Spec spec = model.hasClip() ? ClipModel.spec(model.getClip()).vision()
        : VitClassifier.spec(model.getVit());
    return VptPrompts.build(ctx.net(), spec, config).hooks();
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return ctx.clip() ? List.of(variablePrefix()) : List.of(variablePrefix(), "head/");
  }

  @Override
  public boolean needsClip() {
    return false;
  }

  /** Deep prompts enter every block up to depth of the vision tower. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    var model = run.getModel();
    if (model.hasClip()) {
      problems.atMost("method.vpt.depth", config.getDepth(), "model.clip.vision_depth",
          model.getClip().getVisionDepth());
    } else {
      problems.atMost("method.vpt.depth", config.getDepth(), "model.vit.depth",
          model.getVit().getDepth());
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /**
   * The head, and the prompts as the method's adapter weights (float32): what Pear's Table I
   * counts as VPT's storage (VPT-Shallow 0.24 MB, VPT-Deep 2.03), so an artifact's adapter bytes
   * are the storage accounting's.
   */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.float32(StoredTensor.isHead(variable) ? StoredTensor.Role.HEAD
        : StoredTensor.Role.ADAPTER);
  }

  /**
   * depth x length prompt tokens of the image tower's width, float32: on ViT-B/16 each token is
   * 768 values, 3,072 bytes, so VPT-shallow (depth 1) of length n stores n x 3,072 bytes and
   * VPT-deep n x 36,864.
   */
  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    long width = model.hasClip() ? ClipModel.spec(model.getClip()).vision().blocks().width()
        : VitClassifier.spec(model.getVit()).blocks().width();
    long values = (long) config.getDepth() * config.getLength() * width;
    return Optional.of(new AdapterAccounting(config.getDepth(), config.getDepth(), values,
        AdapterStorage.matrixBytes(values, 0), 0, PROMPT_LAYERS));
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    PromptSummary.describe(out, trained.trained(), VptPrompts.SCOPE, null);
    AdapterSummary.stateStorage(out, this, trained.trained(), "float32 prompts");
  }
}
