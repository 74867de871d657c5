package tfpeft.config;

import com.google.protobuf.TextFormat;
import tfpeft.config.proto.RunConfig;

/**
 * A validated run config.
 *
 * @param resolved every field with its value or default filled in; what the code reads
 * @param written only what the file and the overrides set
 * @param source the file it came from
 * @param architectureFrom the weights whose architecture {@code resolved.model} is, or "" where
 *     it is the config's own
 */
public record LoadedConfig(RunConfig resolved, RunConfig written, String source,
    String architectureFrom) {
  /** The resolved config as text format, with a header saying where it came from. */
  public String resolvedText() {
    return "# Resolved from " + source + " (every field shown, defaults filled in"
        + (architectureFrom.isEmpty() ? "" : "; the model's architecture is that of the"
            + " weights " + architectureFrom + ", with what the config sets") + ").\n"
        + TextFormat.printer().printToString(resolved);
  }
}
