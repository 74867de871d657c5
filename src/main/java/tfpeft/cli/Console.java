package tfpeft.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to {@code out}, progress and warnings to {@code err}, so that
 * {@code tfpeft ... > result.txt} captures only results.
 */
public final class Console {
  private final PrintStream out;
  private final PrintStream err;

  public Console(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static Console system() {
    return new Console(System.out, System.err);
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  /** A result line. */
  public void println(String line) {
    out.println(line);
  }

  /** A progress or status line. */
  public void info(String line) {
    err.println(line);
  }

  public void warn(String line) {
    err.println("warning: " + line);
  }

  /** Whether stderr is a terminal, so a live progress bar may redraw one line. */
  public boolean interactive() {
    return err == System.err && System.console() != null;
  }
}
