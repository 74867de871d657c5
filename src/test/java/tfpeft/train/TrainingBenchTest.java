package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import tfpeft.config.Defaults;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.FullFinetuneConfig;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;

/**
 * How many forward passes a training step counts as in {@code bench --config}: the forward
 * pass; the gradients back through the backbone when anything below the head trains; the
 * backbone's weight gradients (x^T dy, a matrix product per weight) when a backbone weight
 * matrix trains. A bias's gradient is a sum of dy, no matrix product.
 */
class TrainingBenchTest {
  static int passes(MethodConfig method) {
    RunConfig c = Defaults.fill(TinyRuns.config(Path.of("unused")).setMethod(method).build());
    try (Graph g = new Graph()) {
      TrainGraph graph = TrainGraph.build(g, c, MethodRegistry.builtIn().create(c.getMethod()),
          List.of("a", "b"), 1);
      return TrainingBench.passes(TrainStep.build(graph, 0));
    }
  }

  @Test
  void aStepCountsTheBackwardPassesItNeeds() {
    assertEquals(1, passes(MethodConfig.newBuilder().setLinearProbe(LinearProbeConfig
        .getDefaultInstance()).build()));
    assertEquals(2, passes(MethodConfig.newBuilder().setLora(LoraConfig.getDefaultInstance())
        .build()));
    assertEquals(3, passes(MethodConfig.newBuilder().setFullFinetune(FullFinetuneConfig
        .getDefaultInstance()).build()));
  }

  /** bench --config runs training.accumulate_steps as training does, feeding the mean. */
  @Test
  void anAccumulatedStepRunsAsMicroBatches() {
    RunConfig.Builder b = TinyRuns.config(Path.of("unused"));
    b.getTrainingBuilder().setBatchSize(8).setAccumulateSteps(4);
    TrainingBench.Result r = TrainingBench.run(b.build(), 1, MethodRegistry.builtIn());
    assertEquals(8, r.batch());
    org.junit.jupiter.api.Assertions.assertTrue(r.trainImagesPerSec() > 0);
  }

  /** bench --config runs an FP16 step as training does, through its loss scale. */
  @Test
  void anFp16StepRunsThroughItsLossScale() {
    RunConfig.Builder b = TinyRuns.config(Path.of("unused"));
    b.getTrainingBuilder().setBatchSize(8).setPrecision(tfpeft.config.proto.Precision.FP16);
    TrainingBench.Result r = TrainingBench.run(b.build(), 1, MethodRegistry.builtIn());
    org.junit.jupiter.api.Assertions.assertTrue(r.trainImagesPerSec() > 0);
  }

  @Test
  void trainingOnlyTheBackbonesBiasesNeedsNoWeightGradients() {
    assertEquals(2, passes(MethodConfig.newBuilder().setBitfit(BitFitConfig
        .getDefaultInstance()).build()));
  }
}
