package tfpeft.train;

import java.util.Arrays;
import java.util.Iterator;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;

/**
 * Classifies a split with the graph's current weights: no drop path, the evaluation transform,
 * batches in the split's order. A text classifier's class features are computed once per call
 * and fed, for whichever classes the prompts name (the new classes of base-to-new included);
 * a classifier whose class features differ per image is fed the prompts' token ids instead.
 */
public final class Evaluator {
  private final TrainGraph graph;
  private final Session session;
  private final RunConfig config;
  private final Preprocess preprocess;
  private final BadExamples bad;

  public Evaluator(TrainGraph graph, Session session, BadExamples bad) {
    this.graph = graph;
    this.session = session;
    this.config = graph.config();
    this.preprocess = Transforms.build(config.getData().getEvalTransform(),
        BuiltModel.imageSize(config.getModel()));
    this.bad = bad;
  }

  /**
   * Images per evaluation batch on {@code classes} classes: eval.batch_size, else the training
   * batch size, within what the method can hold in one graph call ({@link
   * tfpeft.peft.BatchLimit}).
   */
  public int batchSize(int classes) {
    return tfpeft.peft.BatchLimit.evaluation(graph.method(), config, classes);
  }

  /**
   * Top-1/top-k, per-class accuracy and confusion on {@code split}.
   *
   * @param prompts the class prompts of a text classifier, null for a head
   */
  public EvalMetrics run(Split split, int classes, ClassPrompts prompts) {
    EvalMetrics.Accumulator acc = new EvalMetrics.Accumulator(classes, config.getEval().getTopK());
    try (Tensor features = graph.classFeaturesFed()
            ? ClipClassifier.tensor(graph.classFeatureValue(session, prompts)) : null;
        GraphFeeds feeds = GraphFeeds.evaluation(graph).classFeatures(features)
            .prompts(prompts)) {
      var pipeline = config.getData().getPipeline();
      var opts = new InputPipeline.Options(batchSize(classes), false, false,
          pipeline.getThreads(), pipeline.getPrefetchBatches(), config.getSeed());
      try (InputPipeline p = new InputPipeline(split, preprocess, opts, bad)) {
        for (Iterator<Batch> it = p.epoch(0); it.hasNext(); ) {
          Batch b = it.next();
          if (b.size() == 0) {
            continue;
          }
          float[][] scores = logits(b, feeds);
          for (int i = 0; i < b.size(); i++) {
            acc.add(b.labels()[i], scores[i]);
          }
        }
      }
    }
    return acc.result();
  }

  private float[][] logits(Batch b, GraphFeeds feeds) {
    int n = b.size();
    float[] px = b.images().length == n * b.imageFloats() ? b.images()
        : Arrays.copyOf(b.images(), n * b.imageFloats());
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, b.height(), b.width(), 3),
        DataBuffers.of(px, true, false));
        var out = feeds.runner(session, x).fetch(graph.logits()).run()) {
      return ClipClassifier.rows((TFloat32) out.get(0));
    }
  }
}
