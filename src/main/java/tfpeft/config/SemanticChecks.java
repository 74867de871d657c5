package tfpeft.config;

import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.VitConfig;

/** Rules that relate several fields, checked on the resolved config. */
final class SemanticChecks {
  private SemanticChecks() {}

  static void check(RunConfig c, ConfigLoader.Locator at) {
    if (c.getModel().hasVit()) {
      VitConfig v = c.getModel().getVit();
      divides(at, "model.vit.patch_size", v.getPatchSize(), "model.vit.image_size",
          v.getImageSize());
      divides(at, "model.vit.heads", v.getHeads(), "model.vit.width", v.getWidth());
    }
    if (c.getModel().hasClip()) {
      ClipConfig v = c.getModel().getClip();
      divides(at, "model.clip.patch_size", v.getPatchSize(), "model.clip.image_size",
          v.getImageSize());
      divides(at, "model.clip.vision_heads", v.getVisionHeads(), "model.clip.vision_width",
          v.getVisionWidth());
      divides(at, "model.clip.text_heads", v.getTextHeads(), "model.clip.text_width",
          v.getTextWidth());
    }
    checkTransform(c.getData().getTrainTransform(), "data.train_transform", at);
    checkTransform(c.getData().getEvalTransform(), "data.eval_transform", at);
    checkMethodFitsModel(c, at);
    checkPrompts(c, at);
    DataConfig d = c.getData();
    if (d.getSampling().getValShots() > 0 && d.getSampling().getShots() == 0) {
      throw at.error("data.sampling.val_shots",
          "a validation shot count needs data.sampling.shots > 0 (K-shot sampling)");
    }
    if (c.getTraining().getScheduleAfterEpoch() && c.getTraining().getSchedulePerStep()) {
      throw at.error("training.schedule_after_epoch", "steps a per-epoch schedule; it does not "
          + "go with training.schedule_per_step: true");
    }
  }

  private static void divides(ConfigLoader.Locator at, String divisorPath, int divisor,
      String valuePath, int value) {
    if (value % divisor != 0) {
      throw at.error(divisorPath, divisor + " does not divide " + valuePath + " = " + value);
    }
  }

  private static void checkTransform(TransformConfig t, String path, ConfigLoader.Locator at) {
    if (t.getScaleMin() > t.getScaleMax()) {
      throw at.error(path + ".scale_min", "must not exceed scale_max (" + t.getScaleMax() + ")");
    }
    if (t.getRatioMin() > t.getRatioMax()) {
      throw at.error(path + ".ratio_min", "must not exceed ratio_max (" + t.getRatioMax() + ")");
    }
    boolean custom = t.getNormalization() == Normalization.CUSTOM;
    if (custom && (t.getMeanCount() != 3 || t.getStdCount() != 3)) {
      throw at.error(path + ".normalization",
          "CUSTOM needs three mean and three std values (R, G, B)");
    }
    if (!custom && (t.getMeanCount() > 0 || t.getStdCount() > 0)) {
      throw at.error(path + ".mean", "mean and std are used only with normalization: CUSTOM");
    }
    for (int i = 0; i < t.getStdCount(); i++) {
      if (!(t.getStd(i) > 0)) {
        throw at.error(path + ".std", "every std must be > 0, got " + t.getStd(i));
      }
    }
  }

  private static void checkMethodFitsModel(RunConfig c, ConfigLoader.Locator at) {
    MethodConfig m = c.getMethod();
    boolean clipOnly = m.hasZeroShot() || m.hasCoop() || m.hasMudpt() || m.hasTipAdapter()
        || m.hasMask();
    if (clipOnly && !c.getModel().hasClip()) {
      String name = m.getMethodCase().name().toLowerCase(java.util.Locale.ROOT);
      throw at.error("method." + name, "needs a CLIP backbone (model.clip): it classifies with "
          + "text features of the class names");
    }
    if (m.hasPear()) {
      checkPear(c, at);
    }
    if (m.hasTipAdapter() && c.getEval().getBaseToNew()) {
      throw at.error("eval.base_to_new", "method.tip_adapter: the cache's values are the "
          + "training classes' labels, so it has nothing to say about new classes; set "
          + "eval.base_to_new: false");
    }
    if (m.hasMask() && m.getMask().getThreshold() >= m.getMask().getInit()) {
      throw at.error("method.mask.threshold", "must be below method.mask.init ("
          + m.getMask().getInit() + ") so that every mask starts at 1");
    }
  }

  /** Prompt depths against the towers, and MuDPT's switches against each other. */
  private static void checkPrompts(RunConfig c, ConfigLoader.Locator at) {
    MethodConfig m = c.getMethod();
    ClipConfig clip = c.getModel().hasClip() ? c.getModel().getClip() : null;
    if (m.hasCoop() && clip != null) {
      atMost(at, "method.coop.depth", m.getCoop().getDepth(), "model.clip.text_depth",
          clip.getTextDepth());
    }
    if (m.hasVpt()) {
      if (clip != null) {
        atMost(at, "method.vpt.depth", m.getVpt().getDepth(), "model.clip.vision_depth",
            clip.getVisionDepth());
      } else {
        atMost(at, "method.vpt.depth", m.getVpt().getDepth(), "model.vit.depth",
            c.getModel().getVit().getDepth());
      }
    }
    if (m.hasMudpt() && clip != null) {
      MudptConfig p = m.getMudpt();
      if (!p.getVisualPrompts() && p.getInjection() != InjectionKind.INDEPENDENT) {
        throw at.error("method.mudpt.injection", p.getInjection() + " couples visual prompts, "
            + "but method.mudpt.visual_prompts is false; use INDEPENDENT");
      }
      atMost(at, "method.mudpt.depth", p.getDepth(), "model.clip.text_depth",
          clip.getTextDepth());
      if (p.getVisualPrompts()) {
        atMost(at, "method.mudpt.depth", p.getDepth(), "model.clip.vision_depth",
            clip.getVisionDepth());
      }
      if (p.getInjection() == InjectionKind.ATTENTION && p.getInjectionHeads() > 0) {
        divides(at, "method.mudpt.injection_heads", p.getInjectionHeads(),
            "model.clip.text_width", clip.getTextWidth());
        divides(at, "method.mudpt.injection_heads", p.getInjectionHeads(),
            "model.clip.vision_width", clip.getVisionWidth());
      }
    }
  }

  private static void atMost(ConfigLoader.Locator at, String path, int value, String limitPath,
      int limit) {
    if (value > limit) {
      throw at.error(path, value + " exceeds " + limitPath + " = " + limit);
    }
  }

  private static void checkPear(RunConfig c, ConfigLoader.Locator at) {
    tfpeft.config.proto.PearConfig p = c.getMethod().getPear();
    int epochs = c.getTraining().getEpochs();
    if (epochs > 0 && p.getWarmupEpochs() > epochs) {
      throw at.error("method.pear.warmup_epochs", p.getWarmupEpochs() + " exceeds "
          + "training.epochs = " + epochs + ": the prune step would never run");
    }
    if (!p.getShare()
        && p.getKnowledgeCheckpoint() != tfpeft.config.proto.KnowledgeCheckpoint.NONE) {
      throw at.error("method.pear.knowledge_checkpoint", "needs share: true; vanilla pruning "
          + "has no shared adapter to absorb the pruned ones");
    }
    boolean sba = p.getKnowledgeCheckpoint() == tfpeft.config.proto.KnowledgeCheckpoint.SBA;
    boolean handSet = p.getSbaWeights() == tfpeft.config.proto.SbaWeights.HAND_SET;
    boolean weightsGiven = p.getSbaSharedWeight() != 1 || p.getSbaPrunedWeight() != 1;
    if (weightsGiven && !(sba && handSet)) {
      throw at.error(p.getSbaSharedWeight() != 1 ? "method.pear.sba_shared_weight"
          : "method.pear.sba_pruned_weight", "is used only with knowledge_checkpoint: SBA and "
          + "sba_weights: HAND_SET");
    }
  }
}
