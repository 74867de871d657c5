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
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * VPT-deep in a run. On CLIP the prompts under {@code peft/vpt/} train and classes are scored
 * by the frozen text tower's template features (computed once, not every step); on a ViT the
 * prompts and the head train, as in the VPT paper.
 */
public final class VptMethod implements Method {
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

  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.float32(StoredTensor.isHead(variable) ? StoredTensor.Role.HEAD
        : StoredTensor.Role.PROMPT);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
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
