package tfpeft.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.model.ClipClassifier;
import tfpeft.peft.SplitRunner;

/**
 * A {@link SplitRunner} over a run's graph: batches of the evaluation size in the split's order,
 * drop path 0, the training flag at its default (off), and for a text classifier the class
 * features of the run's prompts, computed at the first run with the weights the session holds
 * then (a method that never runs a split costs nothing).
 */
final class GraphSplitRunner implements SplitRunner {
  private final TrainGraph graph;
  private final Session session;
  private final BadExamples bad;
  private final int batchSize;
  private final Supplier<ClassPrompts> prompts;
  private float[][] classFeatures;

  /** @param prompts the class prompts of a text classifier (asked for only then) */
  GraphSplitRunner(TrainGraph graph, Session session, BadExamples bad, int batchSize,
      Supplier<ClassPrompts> prompts) {
    this.graph = graph;
    this.session = session;
    this.bad = bad;
    this.batchSize = batchSize;
    this.prompts = prompts;
  }

  @Override
  public List<float[][]> run(Split split, Preprocess preprocess, int pass,
      List<Operand<TFloat32>> outputs) {
    List<float[][]> out = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      out.add(new float[split.size()][]);
    }
    var pipe = graph.config().getData().getPipeline();
    var opts = new InputPipeline.Options(batchSize, false, false, pipe.getThreads(),
        pipe.getPrefetchBatches(), graph.config().getSeed());
    if (graph.classFeaturesFed() && classFeatures == null) {
      classFeatures = graph.classFeatureValue(session, prompts.get());
    }
    try (InputPipeline p = new InputPipeline(split, preprocess, opts, bad);
        Tensor features = classFeatures == null ? null : ClipClassifier.tensor(classFeatures);
        GraphFeeds feeds = GraphFeeds.evaluation(graph).classFeatures(features)
            .prompts(graph.textClassifier() ? prompts.get() : null)) {
      for (Iterator<Batch> it = p.epoch(pass); it.hasNext(); ) {
        Batch b = it.next();
        int n = b.size();
        if (n == 0) {
          continue;
        }
        float[] px = b.images().length == n * b.imageFloats() ? b.images()
            : Arrays.copyOf(b.images(), n * b.imageFloats());
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, b.height(), b.width(), 3),
            DataBuffers.of(px, true, false))) {
          Session.Runner r = feeds.runner(session, x);
          outputs.forEach(r::fetch);
          try (var result = r.run()) {
            for (int k = 0; k < outputs.size(); k++) {
              float[][] rows = ClipClassifier.rows((TFloat32) result.get(k));
              for (int i = 0; i < n; i++) {
                out.get(k)[b.examples()[i]] = rows[i];
              }
            }
          }
        }
      }
    }
    return out;
  }
}
