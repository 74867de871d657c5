package tfpeft.config;

import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;

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
    checkMethod(c, at);
    DataConfig d = c.getData();
    if (d.getSampling().getValShots() > 0 && d.getSampling().getShots() == 0) {
      throw at.error("data.sampling.val_shots",
          "a validation shot count needs data.sampling.shots > 0 (K-shot sampling)");
    }
    if (c.getTraining().getScheduleAfterEpoch() && c.getTraining().getSchedulePerStep()) {
      throw at.error("training.schedule_after_epoch", "steps a per-epoch schedule; it does not "
          + "go with training.schedule_per_step: true");
    }
    divides(at, "training.accumulate_steps", c.getTraining().getAccumulateSteps(),
        "training.batch_size", c.getTraining().getBatchSize());
    int devices = c.getRuntime().getDevicesCount();
    int micro = c.getTraining().getBatchSize() / c.getTraining().getAccumulateSteps();
    if (devices > 1 && micro % devices != 0) {
      // each tower takes an equal share of every (micro-)batch
      throw at.error("runtime.devices", devices + " devices do not divide the batch each step"
          + " runs at once: training.batch_size " + c.getTraining().getBatchSize()
          + (c.getTraining().getAccumulateSteps() > 1 ? " / training.accumulate_steps "
              + c.getTraining().getAccumulateSteps() + " = " + micro : "")
          + "; list a device count that divides it, or change the batch");
    }
    for (String device : c.getRuntime().getDevicesList()) {
      if (!device.matches("(?i)/(device:)?(cpu|gpu):\\d+")) {
        throw at.error("runtime.devices", "\"" + device + "\" is not a device name; write"
            + " /device:GPU:0, /device:GPU:1, ... (or /device:CPU:1 with"
            + " runtime.virtual_cpu_devices)");
      }
    }
    if (new java.util.HashSet<>(c.getRuntime().getDevicesList()).size() < devices) {
      throw at.error("runtime.devices", "lists a device twice: " + c.getRuntime()
          .getDevicesList() + "; one tower per device");
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

  /**
   * The method's own answers: whether it needs CLIP, and the checks of its own config (the method
   * knows its fields; this layer only places the error at the field's file and line).
   */
  private static void checkMethod(RunConfig c, ConfigLoader.Locator at) {
    MethodRegistry registry = MethodRegistry.builtIn();
    if (!registry.has(c.getMethod().getMethodCase())) {
      return;
    }
    Method m = registry.create(c.getMethod());
    if (m.needsClip() && !c.getModel().hasClip()) {
      throw at.error("method." + m.name(), "needs a CLIP backbone (model.clip): it classifies "
          + "with text features of the class names");
    }
    m.checkConfig(c, at::error);
  }
}
