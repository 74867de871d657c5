package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.Precision;
import tfpeft.config.proto.TrainingConfig;

class LossScaleTest {
  @Test
  void aStepWithNonFiniteGradientsIsSkippedAndHalvesTheScale() {
    LossScale s = new LossScale(1024, true, 3);
    assertFalse(s.afterStep(false));
    assertEquals(512f, s.scale());
    assertEquals(1, s.skipped());
  }

  @Test
  void theScaleDoublesAfterTheGrowthIntervalOfFiniteStepsInARow() {
    LossScale s = new LossScale(1024, true, 3);
    assertTrue(s.afterStep(true));
    assertTrue(s.afterStep(true));
    assertEquals(1024f, s.scale());
    assertTrue(s.afterStep(true));
    assertEquals(2048f, s.scale());
    assertEquals(0, s.goodSteps());
  }

  @Test
  void aSkippedStepRestartsTheCountTowardsGrowth() {
    LossScale s = new LossScale(1024, true, 3);
    s.afterStep(true);
    s.afterStep(true);
    s.afterStep(false);
    s.afterStep(true);
    s.afterStep(true);
    assertEquals(512f, s.scale());
    s.afterStep(true);
    assertEquals(1024f, s.scale());
  }

  @Test
  void aFixedScaleSkipsNonFiniteStepsButNeverChanges() {
    LossScale s = new LossScale(8, false, 1);
    assertFalse(s.afterStep(false));
    assertTrue(s.afterStep(true));
    assertTrue(s.afterStep(true));
    assertEquals(8f, s.scale());
    assertEquals(1, s.skipped());
  }

  @Test
  void itsStateComesBackFromItsCheckpointJson() {
    LossScale s = new LossScale(1000.1f, true, 5);
    s.afterStep(false);
    s.afterStep(true);
    LossScale back = new LossScale(1, true, 5);
    back.restore(s.json());
    assertEquals(Float.floatToRawIntBits(s.scale()), Float.floatToRawIntBits(back.scale()));
    assertEquals(s.goodSteps(), back.goodSteps());
    assertEquals(s.skipped(), back.skipped());
  }

  @Test
  void onlyFp16HasALossScale() {
    assertNull(LossScale.of(TrainingConfig.newBuilder().setPrecision(Precision.BF16).build()));
    assertEquals(65536f, LossScale.of(TrainingConfig.newBuilder()
        .setPrecision(Precision.FP16).build()).scale());
  }

  @Test
  void unscalingDividesEveryGradientAndReportsWhetherAllAreFinite() {
    float[] a = {2, 4};
    float[] b = {8};
    assertTrue(TrainStep.unscale(List.of(a, b), 2));
    assertArrayEquals(new float[] {1, 2}, a);
    assertArrayEquals(new float[] {4}, b);
    assertFalse(TrainStep.unscale(List.of(new float[] {Float.POSITIVE_INFINITY}), 2));
    assertFalse(TrainStep.unscale(List.of(new float[] {Float.NaN, 1}), 2));
  }
}
