package tfpeft.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigReference;
import tfpeft.config.LoadedConfig;

/** {@code tfpeft config check|reference}: validate a run config, or print the schema. */
final class ConfigCommand implements Command {
  @Override
  public String name() {
    return "config";
  }

  @Override
  public String summary() {
    return "check a run config and print it resolved, or print the config reference";
  }

  @Override
  public String usage() {
    return "config check --config FILE [--set PATH=VALUE]... | config reference";
  }

  @Override
  public String description() {
    return "check: loads and validates the config (exit 2 with file, line and field on any "
        + "error) and prints it with every default filled in and the architecture of its "
        + "pretrained weights (model.weights), as the run builds it.\nreference: prints every config field with its "
        + "type, default, allowed range and meaning, as Markdown.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    String sub = line.getArgList().isEmpty() ? "" : line.getArgList().get(0);
    switch (sub) {
      case "check" -> {
        LoadedConfig c = ConfigArgs.load(line, true);
        String weights = c.resolved().getModel().getWeights().getPath();
        if (!weights.isEmpty() && c.architectureFrom().isEmpty()) {
          // a config is often checked away from its weights; say what the printout then is
          console.warn(weights + " (model.weights.path) not found: the model below is the "
              + "config's own with defaults filled in; the run takes the architecture of the "
              + "weights it is given");
        }
        console.out().print(c.resolvedText());
        console.info(c.source() + ": valid");
        return 0;
      }
      case "reference" -> {
        console.out().print(ConfigReference.markdown());
        return 0;
      }
      default -> throw TfpeftException.usage("expected 'config check' or 'config reference'"
          + (sub.isEmpty() ? "" : ", got '" + sub + "'"));
    }
  }
}
