package tfpeft.train;

import com.google.gson.JsonObject;
import tfpeft.config.proto.Precision;
import tfpeft.config.proto.TrainingConfig;

/**
 * FP16's loss scale: the loss is multiplied by {@link #scale} before the gradients are taken, so
 * that gradients below float16's smallest normal number (6e-5) survive the float16 products, and
 * the gradients are divided by it again before the optimizer. A step whose gradients are not all
 * finite (the scale overflowed float16's 65504) is skipped: no variable and no optimizer slot
 * changes, and the optimizer's step count (Adam's bias correction) does not advance, as
 * PyTorch's GradScaler skips {@code optimizer.step()}. Dynamic scaling halves the scale on such a
 * step and doubles it after {@code loss_scale_growth_interval} finite steps in a row
 * (GradScaler's backoff 0.5 and growth 2). The state goes into every checkpoint, so a resumed run
 * scales and skips as the uninterrupted one.
 */
public final class LossScale {
  private final boolean dynamic;
  private final int growthInterval;
  private float scale;
  private int goodSteps;
  private long skipped;

  LossScale(float scale, boolean dynamic, int growthInterval) {
    this.scale = scale;
    this.dynamic = dynamic;
    this.growthInterval = growthInterval;
  }

  /** The scale of a run in {@code t}'s precision: null unless FP16. */
  public static LossScale of(TrainingConfig t) {
    return t.getPrecision() != Precision.FP16 ? null
        : new LossScale(t.getLossScale(), t.getDynamicLossScale(),
            t.getLossScaleGrowthInterval());
  }

  public float scale() {
    return scale;
  }

  /** Steps skipped so far, which the optimizer's step count leaves out. */
  public long skipped() {
    return skipped;
  }

  /** Finite steps since the scale last changed (or since the last skipped step). */
  public int goodSteps() {
    return goodSteps;
  }

  /**
   * Records a step's outcome and returns whether its update is to be applied: true when every
   * gradient was finite.
   */
  public boolean afterStep(boolean finite) {
    if (!finite) {
      skipped++;
      goodSteps = 0;
      if (dynamic) {
        scale = Math.max(scale / 2, Float.MIN_NORMAL);
      }
      return false;
    }
    goodSteps++;
    if (dynamic && goodSteps >= growthInterval) {
      goodSteps = 0;
      if (Float.isFinite(scale * 2)) {
        scale *= 2;
      }
    }
    return true;
  }

  JsonObject json() {
    JsonObject o = new JsonObject();
    // the float's bits: a resumed run continues from exactly this scale
    o.addProperty("scale_bits", Float.floatToRawIntBits(scale));
    o.addProperty("scale", scale);
    o.addProperty("good_steps", goodSteps);
    o.addProperty("skipped", skipped);
    return o;
  }

  /** Restores the state {@link #json} wrote (a checkpoint's "loss_scale"). */
  void restore(JsonObject o) {
    scale = Float.intBitsToFloat(o.get("scale_bits").getAsInt());
    goodSteps = o.get("good_steps").getAsInt();
    skipped = o.get("skipped").getAsLong();
  }
}
