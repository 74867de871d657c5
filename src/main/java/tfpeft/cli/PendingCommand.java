package tfpeft.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;

/**
 * A command whose capability this build does not have yet: it says so plainly and fails, rather
 * than pretending. Its options are accepted so that scripts get the same message either way.
 */
final class PendingCommand implements Command {
  private final String name;
  private final String summary;
  private final String capability;

  PendingCommand(String name, String summary, String capability) {
    this.name = name;
    this.summary = summary;
    this.capability = capability;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return summary + " (not in this build yet)";
  }

  @Override
  public String usage() {
    return name + " [ARGS]...";
  }

  @Override
  public String description() {
    return capability + " is not part of this build yet; this command fails with exit code 1"
        + " until it is.";
  }

  @Override
  public Options options() {
    return new Options();
  }

  @Override
  public int run(CommandLine line, Console console) {
    throw TfpeftException.failure(capability + " is not part of this build yet");
  }
}
