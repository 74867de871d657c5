/**
 * A run's config: a protobuf text file ({@code src/main/proto/tfpeft/run.proto}) loaded,
 * overridden with {@code --set path=value} ({@link tfpeft.config.Overrides}), checked and
 * resolved ({@link tfpeft.config.ConfigLoader}).
 *
 * <p>Checks run in layers: field by field from the proto's own options (ranges, required
 * members; {@link tfpeft.config.ConfigValidator}), then defaults filled
 * ({@link tfpeft.config.Defaults}) and the architecture taken from the weights
 * ({@link tfpeft.config.WeightsArchitecture}), then rules across fields
 * ({@link tfpeft.config.SemanticChecks}), where the method answers for its own config through
 * {@link tfpeft.peft.Method#checkConfig}. Every error names the file, line and field path.
 * {@link tfpeft.config.ConfigReference} writes the README's config reference from the proto
 * comments.
 */
package tfpeft.config;
