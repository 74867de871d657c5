package tfpeft.model;

import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The values of a net's per-step controls ({@link Net#dropPathRate}, {@link Net#stepSeed},
 * {@link Net#training}) for one kind of run call, fed together so that no caller feeds them by
 * hand: at evaluation no drop path, step seed 0 and the training flag at its default (off); in a
 * training step the configured drop-path rate, the step's seed and the flag on, where a layer
 * built one. Owns its tensors.
 */
public final class GraphControls implements AutoCloseable {
  private final TFloat32 dropPathRate;
  private final TInt64 stepSeed;
  private final TFloat32 training;

  private GraphControls(TFloat32 dropPathRate, TInt64 stepSeed, TFloat32 training) {
    this.dropPathRate = dropPathRate;
    this.stepSeed = stepSeed;
    this.training = training;
  }

  /** Evaluation: drop-path rate 0, step seed (0, 0), training flag not fed (off). */
  public static GraphControls evaluation() {
    return new GraphControls(TFloat32.scalarOf(0f), TInt64.vectorOf(0, 0), null);
  }

  /**
   * A training step: {@code dropPathRate}, the step's seed {@code stepSeed} (two int64; this
   * object closes it) and the training flag on.
   */
  public static GraphControls training(float dropPathRate, TInt64 stepSeed) {
    return new GraphControls(TFloat32.scalarOf(dropPathRate), stepSeed, TFloat32.scalarOf(1f));
  }

  /** Feeds the controls of {@code net} into {@code runner}; returns the runner. */
  public Session.Runner feed(Net net, Session.Runner runner) {
    runner.feed(net.dropPathRate(), dropPathRate).feed(net.stepSeed(), stepSeed);
    if (training != null && net.hasTrainingFlag()) {
      runner.feed(net.training(), training);
    }
    return runner;
  }

  @Override
  public void close() {
    dropPathRate.close();
    stepSeed.close();
    if (training != null) {
      training.close();
    }
  }
}
