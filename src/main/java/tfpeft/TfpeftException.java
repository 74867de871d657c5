package tfpeft;

/**
 * An error the user can act on: a config, a path, an image, a weight file. The message names the
 * file, line, field or tensor and says what to do; the CLI prints it without a stack trace and exits
 * with {@link #exitCode()}. Bugs are ordinary exceptions and keep their stack traces.
 */
public class TfpeftException extends RuntimeException {
  /** Exit code for usage, config and bad-input errors. */
  public static final int USAGE = 2;
  /** Exit code for a run that failed (a NaN loss, a full disk, a capability not built yet). */
  public static final int FAILURE = 1;

  private final int exitCode;

  public TfpeftException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public TfpeftException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A usage, config or bad-input error (exit code 2). */
  public static TfpeftException usage(String message) {
    return new TfpeftException(USAGE, message);
  }

  /** A usage, config or bad-input error (exit code 2) with its cause kept for --verbose. */
  public static TfpeftException usage(String message, Throwable cause) {
    return new TfpeftException(USAGE, message, cause);
  }

  /** A failure of the run itself (exit code 1). */
  public static TfpeftException failure(String message) {
    return new TfpeftException(FAILURE, message);
  }

  public static TfpeftException failure(String message, Throwable cause) {
    return new TfpeftException(FAILURE, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
