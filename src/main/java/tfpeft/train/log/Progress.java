package tfpeft.train.log;

import java.io.PrintStream;
import java.util.function.IntSupplier;

/**
 * Training progress on stderr: a bar redrawn in place on a terminal, plain lines every
 * {@code every} steps otherwise (a log file or CI). Either way: epoch, step, loss, learning rate,
 * images per second over the last interval and the time left at the run's average pace.
 */
public final class Progress {
  private static final int BAR = 24;
  /** The narrowest bar worth drawing; below it the bar goes and the text alone stays. */
  private static final int MIN_BAR = 5;
  private final PrintStream out;
  private final boolean live;
  private final IntSupplier columns;
  private final int every;
  private final long totalSteps;
  private final long firstStep;
  private long startNanos;
  private long intervalNanos;
  private int intervalImages;
  private int barLength;
  private int epoch;
  private int epochs;
  private int batches;

  /**
   * @param totalSteps optimizer steps of the whole run
   * @param doneSteps steps done before this process started (a resumed run)
   */
  public Progress(PrintStream out, boolean live, int every, long totalSteps, long doneSteps) {
    this(out, live, every, totalSteps, doneSteps, new TerminalWidth());
  }

  /** @param columns the terminal's width now (a live bar fits in it) */
  Progress(PrintStream out, boolean live, int every, long totalSteps, long doneSteps,
      IntSupplier columns) {
    this.out = out;
    this.live = live;
    this.columns = columns;
    this.every = Math.max(1, every);
    this.totalSteps = totalSteps;
    this.firstStep = doneSteps;
  }

  /** The start of an epoch: the images/s interval starts again (evaluation is not counted). */
  public void epoch(int epoch, int epochs, int batches) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.batches = batches;
    intervalNanos = System.nanoTime();
    intervalImages = 0;
  }

  /** After optimizer step {@code step} (1-based over the run), batch {@code batch} of the epoch. */
  public void step(long step, int batch, double loss, double lr, int images) {
    long now = System.nanoTime();
    if (startNanos == 0) {
      startNanos = now;
    }
    intervalImages += images;
    boolean due = live || step % every == 0 || batch == batches;
    if (!due) {
      return;
    }
    double seconds = (now - intervalNanos) / 1e9;
    double rate = seconds > 0 ? intervalImages / seconds : 0;
    long doneHere = step - firstStep;
    double perStep = doneHere > 1 ? (now - startNanos) / 1e9 / (doneHere - 1) : 0;
    String eta = perStep > 0 ? duration(perStep * (totalSteps - step)) : "?";
    String text = String.format("epoch %d/%d  step %d/%d  loss %.4f  lr %.2e  %s img/s  ETA %s",
        epoch, epochs, batch, batches, loss, lr, rate > 0 ? String.format("%.0f", rate) : "-",
        eta);
    if (live) {
      redraw(fit(text, batch));
      if (seconds > 1) {
        intervalNanos = now;
        intervalImages = 0;
      }
    } else {
      out.println(text);
      intervalNanos = now;
      intervalImages = 0;
    }
  }

  /** A line that stays (an epoch summary, an evaluation), printed under the bar. */
  public void line(String text) {
    clear();
    out.println(text);
  }

  public void done() {
    clear();
  }

  /**
   * The bar and {@code text} in one line shorter than the terminal (the last column is left
   * free: writing it makes some terminals wrap). The bar shrinks first, then goes, then the
   * text is cut.
   */
  String fit(String text, int batch) {
    int room = Math.max(1, columns.getAsInt() - 1);
    int bar = Math.min(BAR, room - text.length() - 3);
    if (bar < MIN_BAR) {
      return text.length() <= room ? text : text.substring(0, room);
    }
    int filled = batches == 0 ? bar : (int) ((long) bar * batch / batches);
    return "[" + "=".repeat(filled) + " ".repeat(bar - filled) + "] " + text;
  }

  private void redraw(String text) {
    String padded = text.length() < barLength ? text + " ".repeat(barLength - text.length())
        : text;
    out.print("\r" + padded);
    out.flush();
    barLength = text.length();
  }

  private void clear() {
    if (live && barLength > 0) {
      out.print("\r" + " ".repeat(barLength) + "\r");
      out.flush();
      barLength = 0;
    }
  }

  /** "1:05:03", "4:07", "0:09". */
  public static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}
