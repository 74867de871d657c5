package tfpeft.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;

/** The {@code --config FILE} and {@code --set PATH=VALUE} options that every config-driven command shares. */
final class ConfigArgs {
  private ConfigArgs() {}

  static void add(Options options) {
    options.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE")
        .desc("run config (.pbtxt)").build());
    options.addOption(Option.builder().longOpt("set").hasArg().argName("PATH=VALUE")
        .desc("override a config field, e.g. --set training.epochs=5 (repeatable)").build());
  }

  static LoadedConfig load(CommandLine line) {
    String file = line.getOptionValue("config");
    if (file == null) {
      throw TfpeftException.usage("--config FILE is required");
    }
    String[] sets = line.getOptionValues("set");
    return ConfigLoader.load(Path.of(file), sets == null ? List.of() : List.of(sets));
  }
}
