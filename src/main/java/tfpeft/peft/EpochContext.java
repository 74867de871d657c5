package tfpeft.peft;

import org.tensorflow.Session;
import tfpeft.model.Net;

/**
 * What a method sees after an epoch.
 *
 * @param epoch the epoch just finished, 1-based
 * @param epochs the run's number of epochs
 * @param step optimizer steps so far
 * @param metrics where the method adds its own figures to the epoch's record
 */
public record EpochContext(int epoch, int epochs, long step, Net net, Session session,
    EpochMetrics metrics) {
  /** A context whose metrics go nowhere. */
  public EpochContext(int epoch, int epochs, long step, Net net, Session session) {
    this(epoch, epochs, step, net, session, new EpochMetrics());
  }
}
