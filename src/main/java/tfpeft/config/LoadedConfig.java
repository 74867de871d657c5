package tfpeft.config;

import com.google.protobuf.TextFormat;
import tfpeft.config.proto.RunConfig;

/**
 * A validated run config.
 *
 * @param resolved every field with its value or default filled in; what the code reads
 * @param written only what the file and the overrides set
 * @param source the file it came from
 */
public record LoadedConfig(RunConfig resolved, RunConfig written, String source) {
  /** The resolved config as text format, with a header saying where it came from. */
  public String resolvedText() {
    return "# Resolved from " + source + " (every field shown, defaults filled in).\n"
        + TextFormat.printer().printToString(resolved);
  }
}
