package tfpeft.train;

import tfpeft.config.proto.Schedule;
import tfpeft.config.proto.TrainingConfig;

/**
 * The learning rate at a point of training, as timm's CosineLRScheduler computes it (the schedule
 * of the adapter papers): a linear warm-up from warmup_start_lr to the peak over warmup_epochs,
 * then lr_min + (peak - lr_min) (1 + cos(pi t / T)) / 2 with t counted from the start of training
 * (warm-up not prefixed) and T the total; stepped once per epoch or every step. A constant
 * warm-up holds warmup_start_lr instead and starts the cosine after it (t counted from the end of
 * warm-up, T still the total), as Dassl's ConstantWarmupScheduler with its CosineAnnealingLR
 * successor runs the prompt papers: their epoch W is at the peak, epoch e at t = e - W.
 *
 * <p>With {@code schedule_after_epoch} the per-epoch schedule runs one epoch late, as PETL-ViT's
 * loop steps timm's scheduler with the index of the epoch just finished: epoch e at t = e - 1
 * (epoch 0 at t = 0).
 */
public final class LearningRateSchedule {
  private final TrainingConfig c;
  private final int stepsPerEpoch;

  public LearningRateSchedule(TrainingConfig c, int stepsPerEpoch) {
    this.c = c;
    this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
  }

  /** The rate for step {@code step} (0-based) of epoch {@code epoch} (0-based). */
  public float at(int epoch, int step) {
    double t;
    double warmup;
    double total;
    if (c.getSchedulePerStep()) {
      t = (double) epoch * stepsPerEpoch + step;
      warmup = c.getWarmupEpochs() * stepsPerEpoch;
      total = (double) c.getEpochs() * stepsPerEpoch;
    } else {
      t = c.getScheduleAfterEpoch() ? Math.max(0, epoch - 1) : epoch;
      warmup = c.getWarmupEpochs();
      total = c.getEpochs();
    }
    double peak = c.getLearningRate();
    if (t < warmup) {
      if (c.getWarmupType() == TrainingConfig.WarmupType.CONSTANT) {
        return c.getWarmupStartLr();
      }
      return (float) (c.getWarmupStartLr() + t * (peak - c.getWarmupStartLr()) / warmup);
    }
    if (c.getSchedule() == Schedule.CONSTANT || total <= 0) {
      return (float) peak;
    }
    if (c.getWarmupType() == TrainingConfig.WarmupType.CONSTANT) {
      t -= warmup;
    }
    double floor = c.getMinLr();
    return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * t / total)));
  }
}
