package tfpeft.cli;

import org.apache.commons.cli.CommandLine;
import tfpeft.TfpeftException;

/** Numeric option values, with the usage error (exit 2) that names the option. */
final class OptionValues {
  private OptionValues() {}

  /** The value of {@code --name} as an integer >= {@code min}, or {@code dflt} when absent. */
  static int integer(CommandLine line, String name, int dflt, int min) {
    return Math.toIntExact(longValue(line, name, dflt, Math.max(min, Integer.MIN_VALUE),
        Integer.MAX_VALUE));
  }

  /** The value of {@code --name} as a long >= {@code min}, or {@code dflt} when absent. */
  static long longValue(CommandLine line, String name, long dflt, long min) {
    return longValue(line, name, dflt, min, Long.MAX_VALUE);
  }

  private static long longValue(CommandLine line, String name, long dflt, long min, long max) {
    String v = line.getOptionValue(name);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    String what = min == 0 ? "a non-negative integer" : min == 1 ? "a positive integer"
        : "an integer >= " + min;
    throw TfpeftException.usage("--" + name + " expects " + what + ", got '" + v + "'");
  }
}
