package tfpeft.util;

/**
 * Pauses that only tests switch on, through system properties {@code tfpeft.test.<name>} in
 * milliseconds, so that a test can stop a training process at a chosen moment (mid-epoch,
 * mid-checkpoint) with SIGKILL. Zero and absent mean no pause.
 */
public final class TestPauses {
  private TestPauses() {}

  public static void pause(String name) {
    long ms = Long.getLong("tfpeft.test." + name, 0);
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
