package tfpeft.config;

import tfpeft.TfpeftException;
import tfpeft.config.proto.SuiteConfig;

/**
 * A validated suite config and where each of its fields was written, so that a problem found
 * later (a method config that does not load, two runs with one name) names the suite file, line
 * and field. Field paths index repeated blocks: {@code method[1].set[0]}, {@code task[2].name}.
 */
public final class LoadedSuite {
  private final SuiteConfig config;
  private final String source;
  private final ConfigLoader.Locator locator;

  LoadedSuite(SuiteConfig config, String source, ConfigLoader.Locator locator) {
    this.config = config;
    this.source = source;
    this.locator = locator;
  }

  public SuiteConfig config() {
    return config;
  }

  /** The suite file. */
  public String source() {
    return source;
  }

  /** "file:line:column" of {@code path}, or of its nearest written ancestor, or the file. */
  public String where(String path) {
    return locator.where(path);
  }

  /** A usage error "file:line:column: path: problem". */
  public TfpeftException error(String path, String problem) {
    return locator.error(path, problem);
  }
}
