package tfpeft.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.SyntheticData;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.EvalMetrics;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunEvaluation;
import tfpeft.train.RunStatistics;
import tfpeft.util.AtomicFiles;

/** {@code tfpeft eval}: a run's checkpoint on a split, or results across runs. */
final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "evaluate a run's checkpoint, or average results across runs (seeds)";
  }

  @Override
  public String usage() {
    return "eval RUN_DIR | --config FILE [--set PATH=VALUE]...  [--checkpoint best|last|DIR]"
        + " [--split test|val] [--data FILE]\n"
        + "       tfpeft eval --runs RUN_DIR... (or a quoted glob)";
  }

  @Override
  public String description() {
    return "Evaluates a run (its directory, or the run a config writes) with its last"
        + " checkpoint, its best one (highest evaluation accuracy during training) or a given"
        + " checkpoint directory, and prints top-1 and top-k accuracy, accuracy per class and"
        + " the confusion matrix (all of it up to 20 classes, else the most frequent"
        + " confusions); with eval.base_to_new also the new classes' accuracy and the harmonic"
        + " mean H. The full result is written as JSON into the run directory"
        + " (eval_<checkpoint>_<split>.json). A zero-shot run, or a config not trained yet, is"
        + " evaluated with the weights its config starts from.\n"
        + "--data FILE evaluates on another dataset, the data { ... } block of FILE (a fragment"
        + " or a whole run config; the fields it sets replace the run's, whose transforms stay"
        + " unless it sets them): its split, its class names and its templates, the class"
        + " features recomputed with what the run learned (cross-dataset transfer, domain"
        + " generalization); the result goes to eval_<checkpoint>_<split>_on_<FILE's name>.json."
        + " A run whose trained state belongs to its own classes (a linear head, a context per"
        + " class, a TIP-Adapter cache) is refused, as eval.base_to_new refuses it.\n"
        + "--runs reads the report.json of each run and prints the mean and sample standard"
        + " deviation of the final results, e.g. of the three seeds of one setting.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder().longOpt("checkpoint").hasArg().argName("best|last|DIR")
        .desc("which checkpoint (default last)").build());
    o.addOption(Option.builder().longOpt("split").hasArg().argName("test|val")
        .desc("the split to evaluate (default test)").build());
    o.addOption(Option.builder().longOpt("data").hasArg().argName("FILE")
        .desc("evaluate on the dataset of this file's data { ... } block").build());
    o.addOption(Option.builder().longOpt("runs")
        .desc("summarize the finished runs given as arguments (directories or a glob)").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) throws IOException {
    if (line.hasOption("runs")) {
      RunStatistics stats = RunStatistics.read(expand(line.getArgList()));
      stats.lines().forEach(console::println);
      return 0;
    }
    RunConfig config;
    String source;
    if (line.hasOption("config")) {
      if (!line.getArgList().isEmpty()) {
        throw TfpeftException.usage("give either RUN_DIR or --config, not both");
      }
      LoadedConfig loaded = ConfigArgs.loadForRun(line);
      config = loaded.written();
      source = loaded.source();
    } else {
      if (line.getArgList().size() != 1) {
        throw TfpeftException.usage("eval needs one RUN_DIR or --config FILE");
      }
      RunDirectory dir = RunDirectory.existing(Path.of(line.getArgList().get(0)),
          "evaluate a config with --config FILE");
      String[] sets = line.getOptionValues("set");
      LoadedConfig loaded = ConfigLoader.load(dir.config(),
          sets == null ? List.of() : List.of(sets));
      // the run's own directory, wherever it was moved
      Path parent = dir.root().normalize().getParent();
      config = loaded.resolved().toBuilder().setName(dir.root().normalize().getFileName()
          .toString()).setOutputDir(parent == null ? "." : parent.toString()).build();
      source = dir.config().toString();
    }
    SyntheticData.setProgress(console::info);
    String which = line.getOptionValue("checkpoint", "last");
    String split = line.getOptionValue("split", "test");
    Path dataFile = line.hasOption("data") ? Path.of(line.getOptionValue("data")) : null;
    DataConfig target = dataFile == null ? null : ConfigLoader.loadData(dataFile);
    RunDirectory run = RunDirectory.of(config, source);
    try (tfpeft.util.DirectoryLock lock = run.lockExisting("tfpeft eval " + run.root())) {
      return evaluate(config, source, which, split, target, dataFile, console);
    }
  }

  private static int evaluate(RunConfig config, String source, String which, String split,
      DataConfig target, Path dataFile, Console console) {
    RunEvaluation.Result r = RunEvaluation.evaluate(config, source, which, split, target,
        MethodRegistry.builtIn(), console.err());
    console.println((r.checkpoint() == null ? "starting weights" : r.checkpoint().dir()
        .toString()) + ", " + split + (target == null ? "" : " of "
        + r.json().get("data").getAsString()) + ": " + r.metrics().headline());
    r.metrics().table(r.classNames()).forEach(console::println);
    if (r.novel() != null) {
      console.println("new classes, " + split + ": " + r.novel().headline());
      r.novel().table(r.newClassNames()).forEach(console::println);
      console.println(String.format("base %.2f%%  new %.2f%%  H %.2f%%",
          100 * r.metrics().top1(), 100 * r.novel().top1(),
          100 * EvalMetrics.harmonicMean(r.metrics().top1(), r.novel().top1())));
    }
    if (Files.isDirectory(r.dir().root())) {
      Path out = r.dir().root().resolve("eval_" + (r.checkpoint() == null ? "start"
          : r.checkpoint().dir().getFileName()) + "_" + split + (dataFile == null ? ""
          : "_on_" + dataFile.getFileName().toString().replaceFirst("\\.[^.]*$", ""))
          + ".json");
      try {
        AtomicFiles.writeString(out, new com.google.gson.GsonBuilder().setPrettyPrinting()
            .serializeSpecialFloatingPointValues().create().toJson(r.json()) + "\n");
      } catch (TfpeftException e) {
        throw TfpeftException.failure("the results above were not saved: " + e.getMessage()
            + "; make " + r.dir().root() + " writable (or evaluate a copy of the run) to keep"
            + " them", e);
      }
      console.println("wrote " + out);
    }
    return 0;
  }

  /** Run directories from arguments; one with * ? or [ is a glob over its directory. */
  static List<Path> expand(List<String> args) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String a : args) {
      if (!a.contains("*") && !a.contains("?") && !a.contains("[")) {
        out.add(Path.of(a));
        continue;
      }
      Path pattern = Path.of(a);
      Path parent = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:"
          + pattern.getFileName());
      List<Path> found = new ArrayList<>();
      if (Files.isDirectory(parent)) {
        try (var s = Files.list(parent)) {
          s.filter(p -> m.matches(p.getFileName()) && Files.isDirectory(p)).sorted()
              .forEach(found::add);
        }
      }
      if (found.isEmpty()) {
        throw TfpeftException.usage("--runs: no run directory matches " + a);
      }
      out.addAll(found);
    }
    return out;
  }
}
