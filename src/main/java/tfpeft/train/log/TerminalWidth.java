package tfpeft.train.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The width of the terminal a live progress bar redraws on, so that its line never wraps (a
 * wrapped line is not erased by a carriage return: every redraw would stack a new one). The
 * width comes from {@code COLUMNS} when set, else from {@code stty size} on the controlling
 * terminal, asked again at most every two seconds so that a resized window is followed; 80
 * where neither answers.
 */
public final class TerminalWidth implements IntSupplier {
  static final int FALLBACK = 80;
  private static final long REFRESH_NANOS = 2_000_000_000L;
  private long askedAt;
  private int columns;

  @Override
  public int getAsInt() {
    long now = System.nanoTime();
    if (columns == 0 || now - askedAt > REFRESH_NANOS) {
      columns = ask();
      askedAt = now;
    }
    return columns;
  }

  private static int ask() {
    Integer fromEnv = parse(System.getenv("COLUMNS"));
    if (fromEnv != null) {
      return fromEnv;
    }
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
          .redirectErrorStream(true).start();
      if (!p.waitFor(1, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return FALLBACK;
      }
      String[] rowsColumns = new String(p.getInputStream().readAllBytes(),
          StandardCharsets.US_ASCII).trim().split("\\s+");
      Integer c = rowsColumns.length == 2 ? parse(rowsColumns[1]) : null;
      return c != null ? c : FALLBACK;
    } catch (IOException e) {
      return FALLBACK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FALLBACK;
    }
  }

  private static Integer parse(String s) {
    if (s == null) {
      return null;
    }
    try {
      int v = Integer.parseInt(s.trim());
      return v > 0 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
