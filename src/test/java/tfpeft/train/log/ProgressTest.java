package tfpeft.train.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProgressTest {
  /** Every redraw of a live bar, as the terminal receives it. */
  private static String[] redraws(int columns) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress p = new Progress(out, true, 1, 400, 0, () -> columns);
    p.epoch(1, 25, 16);
    for (int s = 1; s <= 16; s++) {
      p.step(s, s, 1.2345, 1e-3, 64);
    }
    return bytes.toString(StandardCharsets.UTF_8).split("\r");
  }

  @ParameterizedTest
  @ValueSource(ints = {120, 95, 80, 60, 40, 20})
  void aLiveBarNeverReachesTheTerminalsLastColumn(int columns) {
    for (String line : redraws(columns)) {
      assertTrue(line.length() <= columns - 1,
          "a redraw of " + line.length() + " characters wraps at " + columns + " columns: "
              + line);
      assertTrue(!line.contains("\n"), "a redraw started a new line");
    }
  }

  // (the images/s figure is measured, so its width varies: 100 columns leave room for any)
  @ParameterizedTest
  @ValueSource(ints = {140, 100})
  void aWideTerminalShowsTheBarAndEveryField(int columns) {
    String last = redraws(columns)[16];
    assertTrue(last.startsWith("[="), last);
    assertTrue(last.contains("step 16/16") && last.contains("ETA"), last);
  }

  @ParameterizedTest
  @ValueSource(ints = {60, 40})
  void aNarrowTerminalDropsTheBarBeforeTheText(int columns) {
    String last = redraws(columns)[16];
    assertTrue(last.startsWith("epoch 1/25  step 16/16"), last);
  }

  @ParameterizedTest
  @ValueSource(ints = {120, 80, 60})
  void theBarIsFullAtTheEpochsLastStep(int columns) {
    String last = redraws(columns)[16];
    if (last.startsWith("[")) {
      assertEquals(-1, last.substring(0, last.indexOf(']')).indexOf(' '), last);
    }
  }
}
