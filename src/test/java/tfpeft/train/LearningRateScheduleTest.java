package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.Schedule;
import tfpeft.config.proto.TrainingConfig;

class LearningRateScheduleTest {
  /** The adapter papers' recipe: 100 epochs, 10 warm-up from 1e-6, peak 1e-3, floor 1e-5. */
  static final TrainingConfig PAPER = TrainingConfig.newBuilder().setEpochs(100)
      .setLearningRate(1e-3f).setWarmupEpochs(10).setWarmupStartLr(1e-6f).setMinLr(1e-5f)
      .build();

  @Test
  void warmUpRisesLinearlyFromTheStartRate() {
    LearningRateSchedule s = new LearningRateSchedule(PAPER, 16);
    assertEquals(1e-6f, s.at(0, 0), 1e-12f);
    assertEquals(1e-6 + 5 * (1e-3 - 1e-6) / 10, s.at(5, 7), 1e-9);
  }

  @Test
  void cosineCountsFromTheStartOfTrainingAndEndsNearTheFloor() {
    LearningRateSchedule s = new LearningRateSchedule(PAPER, 16);
    // epoch 10: 1e-5 + (1e-3 - 1e-5) (1 + cos(pi / 10)) / 2
    assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 0.1)), s.at(10, 0), 1e-9);
    assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5), s.at(50, 3), 1e-9);
    assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 0.99)), s.at(99, 0), 1e-9);
  }

  @Test
  void perStepScheduleMovesWithinAnEpoch() {
    TrainingConfig c = PAPER.toBuilder().setSchedulePerStep(true).setWarmupEpochs(0).build();
    LearningRateSchedule s = new LearningRateSchedule(c, 10);
    assertEquals(1e-3f, s.at(0, 0), 1e-9f);
    assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 5 / 1000.0)), s.at(0, 5),
        1e-9);
  }

  @Test
  void steppedAfterEachEpochAsPetlVitEpochERunsAtTheRateOfEpochEMinusOne() {
    // PETL-ViT calls scheduler.step(ep) after epoch ep: epochs 0 and 1 both at the start rate
    LearningRateSchedule s = new LearningRateSchedule(
        PAPER.toBuilder().setScheduleAfterEpoch(true).build(), 16);
    assertEquals(1e-6f, s.at(0, 0), 1e-12f);
    assertEquals(1e-6f, s.at(1, 5), 1e-12f);
    assertEquals(1e-6 + (1e-3 - 1e-6) / 10, s.at(2, 0), 1e-9);
    assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 0.1)), s.at(11, 0), 1e-9);
  }

  @Test
  void constantScheduleHoldsThePeakAfterWarmUp() {
    LearningRateSchedule s = new LearningRateSchedule(
        PAPER.toBuilder().setSchedule(Schedule.CONSTANT).build(), 4);
    assertEquals(1e-3f, s.at(10, 0));
    assertEquals(1e-3f, s.at(99, 3));
  }

  /** CoOp under Dassl: 1 constant warm-up epoch at 1e-5, then cosine over 200 from the peak. */
  @Test
  void constantWarmUpHoldsItsRateThenStartsTheCosineFromThePeak() {
    TrainingConfig coop = TrainingConfig.newBuilder().setEpochs(200).setLearningRate(2e-3f)
        .setWarmupEpochs(1).setWarmupStartLr(1e-5f).setMinLr(0)
        .setWarmupType(TrainingConfig.WarmupType.CONSTANT).build();
    LearningRateSchedule s = new LearningRateSchedule(coop, 50);
    assertEquals(1e-5f, s.at(0, 0));
    assertEquals(1e-5f, s.at(0, 49));
    assertEquals(2e-3f, s.at(1, 0));
    assertEquals(0.5 * 2e-3 * (1 + Math.cos(Math.PI * 1 / 200)), s.at(2, 0), 1e-9);
    assertEquals(0.5 * 2e-3 * (1 + Math.cos(Math.PI * 198 / 200)), s.at(199, 0), 1e-9);
  }

  @Test
  void constantWarmUpStepsPerStepToo() {
    TrainingConfig c = TrainingConfig.newBuilder().setEpochs(4).setLearningRate(1f)
        .setWarmupEpochs(1).setWarmupStartLr(0.25f).setMinLr(0).setSchedulePerStep(true)
        .setWarmupType(TrainingConfig.WarmupType.CONSTANT).build();
    LearningRateSchedule s = new LearningRateSchedule(c, 2);
    assertEquals(0.25f, s.at(0, 1));
    assertEquals(1f, s.at(1, 0));
    assertEquals(0.5 * (1 + Math.cos(Math.PI / 8)), s.at(1, 1), 1e-6);
  }

  @Test
  void linearIsTheDefaultWarmUp() {
    assertEquals(TrainingConfig.WarmupType.LINEAR, PAPER.getWarmupType());
  }
}
