package tfpeft.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ModelFlops;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.MethodRegistry;

/**
 * Throughput of a run's training step and of its evaluation on random inputs (so the input
 * pipeline is not measured; {@code bench pipeline} does that), with the model FLOPs per image,
 * the achieved GFLOP/s, and the process's peak memory.
 *
 * <p>A training step counts as {@link #passes} forward passes: the forward pass; one more for the
 * gradients flowing back through the backbone when anything below the head trains (adapters,
 * prompts, masks need them as much as full fine-tuning); one more for the backbone's own weight
 * gradients when a backbone weight matrix trains (not for biases alone: BitFit counts 2). Full
 * fine-tuning is the usual 3, a linear probe 1.
 */
public final class TrainingBench {
  /**
   * @param trainImagesPerSec 0 when the method trains nothing
   * @param passes forward passes a training step counts as (1 to 3)
   * @param trainFlops FLOPs per image of a training step (passes x forward, plus the text
   *     tower's share when class prompts are encoded every step)
   */
  public record Result(String method, long parameters, long trainable, int batch,
      double trainImagesPerSec, int passes, double trainFlops, int evalBatch,
      double evalImagesPerSec, double evalFlops, long peakResidentBytes, long peakHeapBytes,
      StepProfile profile) {}

  private TrainingBench() {}

  public static Result run(RunConfig written, int steps, MethodRegistry registry) {
    return run(written, steps, registry, false);
  }

  /**
   * @param profile also trace one training step after the timed ones ({@link Result#profile};
   *     null when the method trains nothing or accumulates micro-batches)
   */
  public static Result run(RunConfig written, int steps, MethodRegistry registry,
      boolean profile) {
    PretrainedWeights weights = PretrainedWeights.load(written);
    RunConfig c = weights.config();
    Dataset d = DataSources.read(c.getData(), c.getSeed(), BadExamples.strict());
    List<String> classes = d.classNames();
    try (RunSession run = RunSession.opener(weights, registry).dataset(d).trainStep(null)
        .open()) {
      TrainGraph graph = run.graph();
      Session s = run.session();
      int templates = Math.max(1, graph.templates().size());
      TrainStep step = run.step();
      long params = graph.modelVariables().stream().mapToLong(v -> v.size()).sum();
      long trainable = step == null ? 0 : step.variables().stream().mapToLong(v -> v.size())
          .sum();
      run.prepare(false);
      List<Tensor> fixed = new ArrayList<>();
      try {
        Tensor prompts = null;
        Tensor features = null;
        if (graph.textClassifier()) {
          ClassPrompts p = run.prompts();
          prompts = p.tensor();
          fixed.add(prompts);
          features = graph.classFeaturesFed() ? ClipClassifier.tensor(run.classFeatures())
              : null;
          fixed.add(features);
        }
        double forward = ModelFlops.forward(c.getModel());
        int batch = c.getTraining().getBatchSize();
        double trainRate = 0;
        int passes = step == null ? 0 : passes(step);
        double trainFlops = passes * forward;
        if (graph.classifier() == ClassifierKind.IMAGE_CONDITIONED) {
          // every image's own prompts for every class
          trainFlops += passes * ModelFlops.text(c.getModel().getClip()) * classes.size()
              * templates;
        } else if (graph.classifier() == ClassifierKind.TEXT_ENCODER) {
          trainFlops += passes * ModelFlops.text(c.getModel().getClip()) * classes.size()
              * templates / batch;
        }
        StepProfile traced = null;
        if (step != null) {
          trainRate = time(steps, batch, () -> trainStep(s, graph, step, batch, classes.size(),
              fixed, null));
          if (profile && !step.accumulates()) {
            traced = trainStep(s, graph, step, batch, classes.size(), fixed,
                RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
          }
        }
        int evalBatch = tfpeft.peft.BatchLimit.evaluation(graph.method(), c, classes.size());
        Tensor f = features;
        Tensor ids = prompts;
        double evalRate = time(steps, evalBatch, () -> evalStep(s, graph, evalBatch, f, ids));
        // per-image class features: every evaluated image runs the text tower on its prompts
        double evalFlops = forward + (graph.classifier() == ClassifierKind.IMAGE_CONDITIONED
            ? ModelFlops.text(c.getModel().getClip()) * classes.size() * templates : 0);
        return new Result(run.method().name(), params, trainable, batch, trainRate, passes,
            trainFlops, evalBatch, evalRate, evalFlops, peakResident(), peakHeap(), traced);
      } finally {
        fixed.stream().filter(java.util.Objects::nonNull).forEach(Tensor::close);
      }
    }
  }

  /** Forward passes a step over {@code step}'s variables counts as (see the class comment). */
  static int passes(TrainStep step) {
    boolean belowHead = step.variables().stream().anyMatch(v -> !v.name().startsWith("head/"));
    // a weight matrix's gradient is a matrix product (x^T dy); a vector's (a bias, a LayerNorm
    // gain) is a sum, so training only those (BitFit) needs no pass of weight gradients
    boolean backbone = step.variables().stream().anyMatch(v -> v.name().startsWith("backbone/")
        && v.shape().numDimensions() >= 2);
    return 1 + (belowHead ? 1 : 0) + (backbone ? 1 : 0);
  }

  /** Images per second over {@code steps} timed runs after two warm-up runs. */
  private static double time(int steps, int batch, Runnable step) {
    step.run();
    step.run();
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      step.run();
    }
    return (double) batch * steps / ((System.nanoTime() - start) / 1e9);
  }

  private static TFloat32 images(RunConfig c, int batch) {
    int size = BuiltModel.imageSize(c.getModel());
    return TFloat32.tensorOf(Shape.of(batch, size, size, 3),
        DataBuffers.of(pixels(c, batch), true, false));
  }

  private static float[] pixels(RunConfig c, int batch) {
    int size = BuiltModel.imageSize(c.getModel());
    float[] px = new float[batch * size * size * 3];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextDouble();
    }
    return px;
  }

  /** One training step; with {@code options} (a trace level) the step's profile, else null. */
  private static StepProfile trainStep(Session s, TrainGraph g, TrainStep step, int batch,
      int classes, List<Tensor> fixed, RunOptions options) {
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i % classes;
    }
    int size = BuiltModel.imageSize(g.config().getModel());
    float[] px = pixels(g.config(), batch);
    if (step.accumulates()) {
      // micro-batches as training runs them, so the peak memory is a micro-batch's
      int micro = batch / g.config().getTraining().getAccumulateSteps();
      step.runAccumulated(s, step.loss(), batch, micro, 1, 1e-12f, (from, to, owned) -> {
        GraphFeeds feeds = GraphFeeds.step(g, TInt64.vectorOf(1, 1))
            .textIds(fixed.isEmpty() ? null : fixed.get(0))
            .classFeatures(fixed.isEmpty() ? null : fixed.get(1));
        owned.add(feeds);
        Session.Runner r = feeds.runner(s);
        owned.addAll(step.feedBatch(r, px, labels, from, to, size, size));
        return r;
      }, LossScale.of(g.config().getTraining()));
      return null;
    }
    List<Tensor> owned = new ArrayList<>();
    try (GraphFeeds feeds = GraphFeeds.step(g, TInt64.vectorOf(1, 1))
        .textIds(fixed.isEmpty() ? null : fixed.get(0))
        .classFeatures(fixed.isEmpty() ? null : fixed.get(1))) {
      Session.Runner r = feeds.runner(s);
      owned.addAll(step.feedBatch(r, px, labels, 0, batch, size, size));
      // a negligible rate: the weights stay where they are, the work is the same
      owned.addAll(step.feed(r, 1, 1e-12f));
      r.addTarget(step.update()).fetch(step.loss());
      if (options == null) {
        r.run().close();
        return null;
      }
      try (org.tensorflow.Result traced = r.setOptions(options).runAndFetchMetadata()) {
        RunMetadata meta = traced.getMetadata().orElseThrow(() -> new IllegalStateException(
            "TensorFlow returned no run metadata for a traced step"));
        return StepProfile.of(meta.getStepStats());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static void evalStep(Session s, TrainGraph g, int batch, Tensor features,
      Tensor textIds) {
    try (TFloat32 x = images(g.config(), batch);
        GraphFeeds feeds = GraphFeeds.evaluation(g).classFeatures(features).textIds(textIds)) {
      feeds.runner(s, x).fetch(g.logits()).run().close();
    }
  }

  /** The resident set's high-water mark (VmHWM), or -1 where /proc is not available. */
  static long peakResident() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  /** The sum of the heap pools' peak usage. */
  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
