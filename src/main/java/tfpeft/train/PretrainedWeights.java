package tfpeft.train;

import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.Net;

/** Puts the configured pretrained weights into the backbone's variables. */
final class PretrainedWeights {
  private PretrainedWeights() {}

  /** Assigns model.weights to the backbone; with no path the random initialization stays. */
  static String assign(RunConfig c, Session session, Net net) {
    String path = c.getModel().getWeights().getPath();
    if (path.isEmpty()) {
      return "random initialization (seed " + c.getSeed() + ")";
    }
    throw TfpeftException.failure("model.weights.path: loading pretrained weights (" + path
        + ") needs the weight importer, which is not part of this build yet; leave"
        + " model.weights.path empty to train from random initialization");
  }
}
