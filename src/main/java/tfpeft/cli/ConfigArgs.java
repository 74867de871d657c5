package tfpeft.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;
import tfpeft.model.imports.Backbones;

/** The {@code --config FILE} and {@code --set PATH=VALUE} options that every config-driven command shares. */
final class ConfigArgs {
  private ConfigArgs() {}

  static void add(Options options) {
    options.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE")
        .desc("run config (.pbtxt)").build());
    options.addOption(Option.builder().longOpt("set").hasArg().argName("PATH=VALUE")
        .desc("override a config field, e.g. --set training.epochs=5 (repeatable)").build());
  }

  /**
   * The config of {@code --config} and {@code --set}, its model resolved against the pretrained
   * weights it names (read from their headers), so that every command sees the model the run
   * builds.
   */
  static LoadedConfig load(CommandLine line) {
    return load(line, false);
  }

  /**
   * As {@link #load(CommandLine)} for a command that works on the run the config writes (train,
   * eval): where the config's weights are not there and that run has adapter-sized checkpoints,
   * the error says that they need their base, rather than only that the weights are missing.
   */
  static LoadedConfig loadForRun(CommandLine line) {
    try {
      return load(line);
    } catch (TfpeftException e) {
      if (e.exitCode() == TfpeftException.USAGE && !line.hasOption("overwrite")) {
        LoadedConfig plain = null;
        try {
          plain = load(line, true);
        } catch (TfpeftException other) {
          // the config itself is at fault: the first error says so
        }
        if (plain != null) {
          tfpeft.train.CheckpointBase.requireBaseOfRun(plain.resolved(), plain.source());
        }
      }
      throw e;
    }
  }

  /**
   * @param weightsOptional whether weights that are not there leave the config's own model
   *     (for checking a config away from its weights) instead of failing
   */
  static LoadedConfig load(CommandLine line, boolean weightsOptional) {
    String file = line.getOptionValue("config");
    if (file == null) {
      throw TfpeftException.usage("--config FILE is required");
    }
    String[] sets = line.getOptionValues("set");
    return ConfigLoader.load(Path.of(file), sets == null ? List.of() : List.of(sets),
        weightsOptional ? (w, m) -> Files.exists(Path.of(w.getPath()))
            ? Backbones.architecture(w, m) : null : Backbones::architecture);
  }
}
