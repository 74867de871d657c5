package tfpeft.train.checkpoint;

import tfpeft.TfpeftException;

/** A checkpoint file that is damaged or not in the format expected (exit code 2). */
public final class CheckpointFormatException extends TfpeftException {
  public CheckpointFormatException(String message) {
    super(USAGE, message);
  }
}
