package tfpeft.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a log line by line without trusting it: a line longer than {@code maxLineBytes} is
 * skipped (reported as null) instead of being held in memory, so a damaged or hostile
 * {@code metrics.jsonl} cannot exhaust memory whatever its size.
 */
final class BoundedLines {
  private BoundedLines() {}

  /** Calls {@code each} with every line (without its newline), or null for one too long. */
  static void read(InputStream in, int maxLineBytes, Consumer<String> each) throws IOException {
    byte[] buf = new byte[64 * 1024];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean tooLong = false;
    int n;
    while ((n = in.read(buf)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          if (!tooLong) {
            line.write(buf, start, i - start);
          }
          each.accept(tooLong ? null : line.toString(StandardCharsets.UTF_8));
          line.reset();
          tooLong = false;
          start = i + 1;
        }
      }
      if (!tooLong) {
        line.write(buf, start, n - start);
        if (line.size() > maxLineBytes) {
          tooLong = true;
          line.reset();
        }
      }
    }
    if (tooLong) {
      each.accept(null);
    } else if (line.size() > 0) {
      each.accept(line.toString(StandardCharsets.UTF_8));
    }
  }
}
