package tfpeft.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One {@code tfpeft <command>}. Each command documents itself; {@link Main} does the rest. */
interface Command {
  /** The word after {@code tfpeft}. */
  String name();

  /** One line for {@code tfpeft --help}. */
  String summary();

  /** The synopsis, e.g. {@code "train --config FILE [--set PATH=VALUE]..."}. */
  String usage();

  /** A paragraph or two for {@code tfpeft <command> --help}; may be empty. */
  String description();

  /** The command's options; {@code --help} is added by {@link Main}. */
  Options options();

  /** Runs the command; returns the exit code. Throws TfpeftException for user errors. */
  int run(CommandLine line, Console console) throws Exception;
}
