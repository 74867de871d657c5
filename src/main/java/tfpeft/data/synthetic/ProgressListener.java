package tfpeft.data.synthetic;

/**
 * Receives progress while a suite is generated. Calls come from the generating thread, never from
 * worker threads, so implementations need no locking. An exception thrown here aborts the
 * generation and leaves no output behind.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = (stage, done, total) -> { };

  /**
   * @param stage what is being generated, e.g. "pretrain" or "task count train"
   * @param done items of this stage finished so far
   * @param total items in this stage
   */
  void progress(String stage, int done, int total);
}
