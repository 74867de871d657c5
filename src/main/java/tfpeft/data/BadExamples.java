package tfpeft.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import tfpeft.TfpeftException;

/**
 * Decides what a bad example (missing, empty or corrupt image, bad list line, label out of range)
 * does: by default it is an error naming the file and line; with {@code skip_bad_examples} it is
 * a warning, the example is left out, and the count is reported at the end. Thread-safe.
 */
public final class BadExamples {
  private static final int MAX_WARNINGS = 20;
  private static final String HINT =
      "; fix or remove it, or set data.skip_bad_examples: true to leave such examples out";

  private final boolean skip;
  private final Consumer<String> warn;
  private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());

  public BadExamples(boolean skip, Consumer<String> warn) {
    this.skip = skip;
    this.warn = warn;
  }

  /** Strict: every bad example is an error. */
  public static BadExamples strict() {
    return new BadExamples(false, w -> {});
  }

  public boolean skipping() {
    return skip;
  }

  /**
   * Reports a bad example; throws unless skipping. {@code where} is "file:line" or a path;
   * {@code problem} says what is wrong.
   */
  public void report(String where, String problem) {
    report(TfpeftException.usage(where + ": " + problem));
  }

  /** Reports a bad example whose error already names it. */
  public void report(TfpeftException error) {
    if (!skip) {
      throw TfpeftException.usage(error.getMessage() + HINT, error);
    }
    skipped.add(error.getMessage());
    if (skipped.size() <= MAX_WARNINGS) {
      warn.accept("skipped " + error.getMessage());
    } else if (skipped.size() == MAX_WARNINGS + 1) {
      warn.accept("skipped more bad examples; the count is reported at the end");
    }
  }

  /** A warning about the data that leaves every example in (a duplicated entry). */
  public void warn(String message) {
    warn.accept("warning: " + message);
  }

  public int count() {
    return skipped.size();
  }

  public List<String> messages() {
    synchronized (skipped) {
      return List.copyOf(skipped);
    }
  }
}
