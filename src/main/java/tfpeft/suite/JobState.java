package tfpeft.suite;

/** Where a job stands in an executor. */
public enum JobState {
  /** Waiting to start (not yet started locally, or queued in the scheduler). */
  PENDING,
  RUNNING,
  /** Finished with exit code 0. */
  SUCCEEDED,
  /** Finished otherwise: non-zero exit, killed, cancelled, timed out, node failure. */
  FAILED
}
