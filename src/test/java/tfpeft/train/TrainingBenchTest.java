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

  /**
   * bench --config --profile traces one more step: the executed ops by type, their counts adding
   * up to the nodes that ran and their times to the total, matrix products among them.
   */
  @Test
  void aProfiledStepCountsTheOpsThatRan() {
    RunConfig.Builder lora = TinyRuns.config(Path.of("unused"));
    lora.setMethod(MethodConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2)));
    StepProfile l = TrainingBench.run(lora.build(), 1, MethodRegistry.builtIn(), true).profile();
    org.junit.jupiter.api.Assertions.assertTrue(l.nodes() > 100, "nodes " + l.nodes());
    assertEquals(l.opMicros(), l.ops().stream().mapToLong(StepProfile.OpTime::micros).sum());
    assertEquals(l.nodes(), l.ops().stream().mapToInt(StepProfile.OpTime::count).sum());
    org.junit.jupiter.api.Assertions.assertTrue(products(l) > 0, l.ops().toString());
    assertEquals(Math.min(StepProfile.SLOWEST, l.nodes()), l.slowest().size());
    // no trace without --profile
    assertEquals(null, TrainingBench.run(lora.build(), 1, MethodRegistry.builtIn()).profile());
  }

  /** Matrix products of every kernel name TensorFlow's CPU build may run them under. */
  private static int products(StepProfile p) {
    return p.ops().stream().filter(o -> o.type().contains("MatMul"))
        .mapToInt(StepProfile.OpTime::count).sum();
  }

  @Test
  void theOpTypeIsReadFromTheTimelineLabel() {
    org.tensorflow.proto.StepStats stats = org.tensorflow.proto.StepStats.newBuilder()
        .addDevStats(org.tensorflow.proto.DeviceStepStats.newBuilder().setDevice("cpu")
            .addNodeStats(node("a", "a = _MklMatMul(x, w)", 10, 40))
            .addNodeStats(node("b", "b = _MklMatMul(y, w)", 0, 20))
            .addNodeStats(node("c", "c = Mul(a, b)", 5, 10))
            .addNodeStats(node("_SOURCE", "", 0, 3)))
        .build();
    StepProfile p = StepProfile.of(stats);
    assertEquals(3, p.nodes());
    assertEquals(55, p.opMicros());
    assertEquals("_MklMatMul", p.ops().get(0).type());
    assertEquals(2, p.count("_MklMatMul"));
    assertEquals(50, p.micros("_MklMatMul"));
    assertEquals(5, p.micros("Mul"));
    assertEquals(List.of("a = _MklMatMul(x, w)", "b = _MklMatMul(y, w)", "c = Mul(a, b)"),
        p.slowest().stream().map(StepProfile.NodeTime::label).toList());
  }

  private static org.tensorflow.proto.NodeExecStats node(String name, String label, long start,
      long end) {
    return org.tensorflow.proto.NodeExecStats.newBuilder().setNodeName(name)
        .setTimelineLabel(label).setOpStartRelMicros(start).setOpEndRelMicros(end).build();
  }
}
