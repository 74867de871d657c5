package tfpeft.train;

import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.model.GraphControls;
import tfpeft.peft.ClassifierKind;

/**
 * Everything a run call of a {@link TrainGraph} is fed besides the batch: the net's controls
 * ({@link GraphControls}) and a text classifier's class input. Evaluation feeds the class
 * features (computed once with the current weights, so the text tower does not run); a training
 * step feeds them too where the text tower is frozen ({@link ClassifierKind#TEXT_FEATURES}), and
 * the prompts' token ids where it trains ({@link ClassifierKind#TEXT_ENCODER}). A classifier
 * whose class features differ per image ({@link ClassifierKind#IMAGE_CONDITIONED}) is fed the
 * prompts' token ids in steps and evaluation alike. Owns the tensors it made; the class features
 * and token ids it is given stay the caller's.
 */
public final class GraphFeeds implements AutoCloseable {
  private final TrainGraph graph;
  private final GraphControls controls;
  private final boolean step;
  private Tensor classFeatures;
  private Tensor textIds;
  private Tensor ownedTextIds;

  private GraphFeeds(TrainGraph graph, GraphControls controls, boolean step) {
    this.graph = graph;
    this.controls = controls;
    this.step = step;
  }

  /** The feeds of evaluation: no drop path, step seed 0, no dropout. */
  public static GraphFeeds evaluation(TrainGraph graph) {
    return new GraphFeeds(graph, GraphControls.evaluation(), false);
  }

  /**
   * The feeds of optimizer step {@code stepNumber} (counted from 1): the config's drop-path
   * rate, the step's seed ({@link TrainStep#stepSeed}), dropout on.
   */
  public static GraphFeeds step(TrainGraph graph, long stepNumber) {
    return step(graph, TrainStep.stepSeed(graph.config().getSeed(), stepNumber));
  }

  /** As {@link #step(TrainGraph, long)} with the step seed given (this object closes it). */
  static GraphFeeds step(TrainGraph graph, TInt64 seed) {
    return new GraphFeeds(graph, GraphControls.training(
        graph.config().getTraining().getDropPath(), seed), true);
  }

  /** The class features [C, E] a text classifier is fed (the caller keeps and closes them). */
  public GraphFeeds classFeatures(Tensor features) {
    this.classFeatures = features;
    return this;
  }

  /**
   * The class prompts' token ids [C * T, L] a step of a trained text tower is fed (the caller
   * keeps and closes them).
   */
  public GraphFeeds textIds(Tensor ids) {
    this.textIds = ids;
    return this;
  }

  /**
   * The class prompts of a classifier fed their token ids in evaluation too ({@link
   * ClassifierKind#IMAGE_CONDITIONED}): their ids are made here (and closed with this); other
   * classifiers ignore them.
   */
  public GraphFeeds prompts(ClassPrompts prompts) {
    if (graph.classifier() == ClassifierKind.IMAGE_CONDITIONED && prompts != null
        && textIds == null) {
      ownedTextIds = prompts.tensor();
      textIds = ownedTextIds;
    }
    return this;
  }

  /** A runner of {@code session} fed {@code images} [N, S, S, 3] and the rest of this. */
  public Session.Runner runner(Session session, TFloat32 images) {
    return runner(session).feed(graph.images(), images);
  }

  /**
   * A runner of {@code session} fed all of this but the batch, which the caller feeds (a
   * training step through {@link TrainStep#feedBatch}, to its towers where it has them).
   */
  public Session.Runner runner(Session session) {
    Session.Runner r = controls.feed(graph.net(), session.runner());
    if (step && graph.classifier() == ClassifierKind.TEXT_ENCODER
        || graph.classifier() == ClassifierKind.IMAGE_CONDITIONED) {
      r.feed(graph.textIds(), require(textIds, "the prompts' token ids"));
    } else if (graph.textClassifier()) {
      r.feed(graph.classFeatures(), require(classFeatures, "the class features"));
    }
    return r;
  }

  /** As {@link #runner(Session, TFloat32)}, with a step's labels [N]. */
  public Session.Runner runner(Session session, TFloat32 images, TInt32 labels) {
    return runner(session, images).feed(graph.labels(), labels);
  }

  private static Tensor require(Tensor t, String what) {
    if (t == null) {
      throw new IllegalStateException("a text classifier is fed " + what);
    }
    return t;
  }

  @Override
  public void close() {
    if (ownedTextIds != null) {
      ownedTextIds.close();
    }
    controls.close();
  }
}
