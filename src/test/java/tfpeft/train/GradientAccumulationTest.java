package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;

/**
 * training.accumulate_steps: a step run as micro-batches updates the weights as the whole batch
 * does.
 *
 * <p>Tolerance: SGD's update is linear in the gradient (Adam's is not: it divides by sqrt(v),
 * which turns rounding in a near-zero gradient into a step of the rate's size), so the runs
 * differ only by float rounding from summing the gradient in another order (per micro-batch,
 * then the weighted sum on the host). Measured over the 12 steps: 3e-8 in the weights, 2e-7 in
 * the momentum buffers. 2e-6 sits ten times above that and well below what a wrong
 * accumulation does here: averaging a short last batch's micro-batches unweighted moves a
 * weight by 6e-5, dropping one micro-batch of four by 4e-5.
 */
class GradientAccumulationTest {
  private static final float TOLERANCE = 2e-6f;

  @TempDir Path out;

  /** Full fine-tuning of the one-block ViT, 2 epochs of SGD, no drop path, in batch order. */
  private RunConfig config(String name, int batch, int accumulate) {
    RunConfig.Builder b = TinyRuns.config(out.resolve(name));
    b.getTrainingBuilder().setBatchSize(batch).setAccumulateSteps(accumulate).setDropPath(0)
        .setDropLast(false).setOptimizer(tfpeft.config.proto.Optimizer.SGD)
        .setLearningRate(5e-2f);
    return b.build();
  }

  /** Every variable and optimizer slot of the run's last checkpoint. */
  private Map<String, float[]> trained(RunConfig c) {
    var all = TinyRuns.checkpoints(TinyRuns.train(c));
    return TinyRuns.values(all.get(all.size() - 1));
  }

  private static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (var e : expected.entrySet()) {
      float[] a = e.getValue();
      float[] b = actual.get(e.getKey());
      float m = 0; for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      System.out.println("MAXDIFF " + e.getKey() + " " + m);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], TOLERANCE, e.getKey() + "[" + i + "]");
      }
    }
  }

  @Test
  void fourMicroBatchesTrainAsOneBatchOfEight() {
    assertClose(trained(config("whole", 8, 1)), trained(config("micro", 8, 4)));
  }

  @Test
  void aShortLastBatchWeighsItsMicroBatchesByImages() {
    // 48 images in batches of 10: the last batch of 8 runs as micro-batches of 5 and 3
    assertClose(trained(config("whole", 10, 1)), trained(config("micro", 10, 2)));
  }

  @Test
  void aMethodThatTransformsItsGradientsRefusesAccumulation() {
    RunConfig.Builder b = TinyRuns.maskClip(out, MaskConfig.getDefaultInstance());
    b.getTrainingBuilder().setAccumulateSteps(2);
    TfpeftException e = assertThrows(TfpeftException.class, () -> new Trainer(b.build(),
        "tiny.pbtxt", TinyRuns.quiet(Trainer.Resume.AUTO), MethodRegistry.builtIn()).dryRun());
    assertTrue(e.getMessage().contains("training.accumulate_steps"), e.getMessage());
  }
}
