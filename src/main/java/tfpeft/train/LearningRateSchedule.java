package tfpeft.train;

import tfpeft.config.proto.Schedule;
import tfpeft.config.proto.TrainingConfig;

/**
 * The learning rate at a point of training, as timm's CosineLRScheduler computes it (the schedule
 * of the adapter papers): a linear warm-up from warmup_start_lr to the peak over warmup_epochs,
 * then lr_min + (peak - lr_min) (1 + cos(pi t / T)) / 2 with t counted from the start of training
 * (warm-up not prefixed) and T the total; stepped once per epoch or every step.
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
      t = epoch;
      warmup = c.getWarmupEpochs();
      total = c.getEpochs();
    }
    double peak = c.getLearningRate();
    if (t < warmup) {
      return (float) (c.getWarmupStartLr() + t * (peak - c.getWarmupStartLr()) / warmup);
    }
    if (c.getSchedule() == Schedule.CONSTANT || total <= 0) {
      return (float) peak;
    }
    double floor = c.getMinLr();
    return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * t / total)));
  }
}
