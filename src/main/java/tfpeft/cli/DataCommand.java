package tfpeft.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.SyntheticData;
import tfpeft.data.Transforms;
import tfpeft.data.synthetic.GenerationSummary;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.data.synthetic.SyntheticTask;

/** {@code tfpeft data generate|tasks|check|preview}: the built-in data and a run's data. */
final class DataCommand implements Command {
  @Override
  public String name() {
    return "data";
  }

  @Override
  public String summary() {
    return "generate the synthetic suite, list its tasks, check or preview a run's data";
  }

  @Override
  public String usage() {
    return "data generate --out DIR [options] | data tasks | data check --config FILE"
        + " | data preview --config FILE --out FILE.png";
  }

  @Override
  public String description() {
    return "generate: writes the synthetic suite (pretraining images with attribute labels and"
        + " captions, and downstream tasks in the VTAB-1k list-file and CoOp split-JSON layouts)"
        + " into a new directory.\n"
        + "tasks: lists the suite's tasks with their classes and zero-shot templates.\n"
        + "check: loads the run's data as training would (sampling, image verification), prints"
        + " split sizes and per-class counts, and runs one epoch of the input pipeline.\n"
        + "preview: writes a grid of preprocessed training images (augmentation included) to"
        + " a PNG, each labelled with its class name; images under 96 px are enlarged by pixel"
        + " repetition.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("PATH")
        .desc("generate: directory to create; preview: PNG file to write").build());
    o.addOption(Option.builder().longOpt("seed").hasArg().argName("N")
        .desc("generator seed (default 0)").build());
    o.addOption(Option.builder().longOpt("size").hasArg().argName("PX")
        .desc("image size (default 64)").build());
    o.addOption(Option.builder().longOpt("pretrain").hasArg().argName("N")
        .desc("pretraining images (default 20000)").build());
    o.addOption(Option.builder().longOpt("train").hasArg().argName("N")
        .desc("training images per task (default 800)").build());
    o.addOption(Option.builder().longOpt("val").hasArg().argName("N")
        .desc("validation images per task (default 200)").build());
    o.addOption(Option.builder().longOpt("test").hasArg().argName("N")
        .desc("test images per task (default 600)").build());
    o.addOption(Option.builder().longOpt("tasks").hasArg().argName("A,B")
        .desc("only these tasks (default all)").build());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
        .desc("threads (default: one per core)").build());
    o.addOption(Option.builder().longOpt("overwrite")
        .desc("replace an existing suite once the new one is complete").build());
    o.addOption(Option.builder().longOpt("split").hasArg().argName("NAME")
        .desc("preview: train, val or test (default train)").build());
    o.addOption(Option.builder().longOpt("count").hasArg().argName("N")
        .desc("preview: images in the grid (default 16)").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    String sub = line.getArgList().isEmpty() ? "" : line.getArgList().get(0);
    return switch (sub) {
      case "generate" -> generate(line, console);
      case "tasks" -> tasks(console);
      case "check" -> check(line, console);
      case "preview" -> preview(line, console);
      default -> throw TfpeftException.usage("expected 'data generate', 'data tasks', "
          + "'data check' or 'data preview'" + (sub.isEmpty() ? "" : ", got '" + sub + "'"));
    };
  }

  private int generate(CommandLine line, Console console) {
    String out = line.getOptionValue("out");
    if (out == null) {
      throw TfpeftException.usage("data generate needs --out DIR");
    }
    SyntheticOptions.Builder b = SyntheticOptions.builder();
    if (line.hasOption("seed")) {
      b.seed(OptionValues.longValue(line, "seed", 0, 0));
    }
    if (line.hasOption("size")) {
      b.imageSize(OptionValues.integer(line, "size", 0, 0));
    }
    if (line.hasOption("pretrain")) {
      b.pretrainCount(OptionValues.integer(line, "pretrain", 0, 0));
    }
    if (line.hasOption("train")) {
      b.trainPerTask(OptionValues.integer(line, "train", 0, 0));
    }
    if (line.hasOption("val")) {
      b.valPerTask(OptionValues.integer(line, "val", 0, 0));
    }
    if (line.hasOption("test")) {
      b.testPerTask(OptionValues.integer(line, "test", 0, 0));
    }
    if (line.hasOption("tasks")) {
      b.tasks(Arrays.asList(line.getOptionValue("tasks").split(",")));
    }
    if (line.hasOption("threads")) {
      b.threads(OptionValues.integer(line, "threads", 0, 0));
    }
    b.overwrite(line.hasOption("overwrite"));
    SyntheticOptions options;
    try {
      options = b.build();
    } catch (IllegalArgumentException e) {
      throw TfpeftException.usage(e.getMessage());
    }
    long start = System.nanoTime();
    GenerationSummary s = SyntheticSuite.generate(Path.of(out), options,
        (stage, done, total) -> {
          if (done == total) {
            console.info("  " + stage + ": " + total + " images");
          }
        });
    console.println(String.format("wrote %d images to %s in %.1f s", s.images(), out,
        (System.nanoTime() - start) / 1e9));
    return 0;
  }

  private int tasks(Console console) {
    console.println(String.format("%-14s %-12s %7s  %s", "task", "group", "classes",
        "templates / class names"));
    for (SyntheticTask t : SyntheticSuite.tasks()) {
      console.println(String.format("%-14s %-12s %7d  %s", t.name(),
          t.group().toString().toLowerCase(java.util.Locale.ROOT), t.numClasses(),
          String.join(" | ", t.templates())));
      console.println(String.format("%36s %s", "", String.join(", ", t.classNames())));
    }
    return 0;
  }

  private static Dataset load(RunConfig c, Console console, BadExamples bad) {
    SyntheticData.setProgress(console::info);
    return DataSources.load(c.getData(), c.getSeed(), bad);
  }

  private int check(CommandLine line, Console console) {
    LoadedConfig loaded = ConfigArgs.load(line);
    RunConfig c = loaded.resolved();
    DataConfig d = c.getData();
    BadExamples bad = new BadExamples(d.getSkipBadExamples(), console::warn);
    long start = System.nanoTime();
    Dataset ds = load(c, console, bad);
    console.println(String.format("%s: %d classes, loaded and verified in %.1f s", ds.name(),
        ds.numClasses(), (System.nanoTime() - start) / 1e9));
    for (Split s : List.of(ds.train(), ds.val(), ds.test())) {
      if (s.isEmpty()) {
        console.println(String.format("  %-5s   none", s.name()));
        continue;
      }
      int[] counts = s.classCounts(ds.numClasses());
      int min = Arrays.stream(counts).min().orElse(0);
      int max = Arrays.stream(counts).max().orElse(0);
      console.println(String.format("  %-5s %6d images, %d to %d per class", s.name(), s.size(),
          min, max));
    }
    int size = ModelInputs.imageSize(c);
    Preprocess train = Transforms.build(d.getTrainTransform(), size);
    int batch = c.getTraining().getBatchSize();
    var opts = new InputPipeline.Options(batch, c.getTraining().getDropLast(), true,
        d.getPipeline().getThreads(), d.getPipeline().getPrefetchBatches(), c.getSeed());
    try (InputPipeline p = new InputPipeline(ds.train(), train, opts, bad)) {
      long t0 = System.nanoTime();
      int images = 0;
      int batches = 0;
      for (Iterator<Batch> it = p.epoch(0); it.hasNext(); ) {
        images += it.next().size();
        batches++;
      }
      console.println(String.format("  train epoch: %d batches of up to %d at %dx%d, %.0f "
          + "images/s", batches, batch, size, size, images / ((System.nanoTime() - t0) / 1e9)));
    }
    if (bad.count() > 0) {
      console.warn(bad.count() + " bad example(s) skipped");
    }
    if (!ds.templates().isEmpty()) {
      console.println("  zero-shot templates: " + String.join(" | ", ds.templates()));
    }
    return 0;
  }

  private int preview(CommandLine line, Console console) {
    String out = line.getOptionValue("out");
    if (out == null || !out.endsWith(".png")) {
      throw TfpeftException.usage("data preview needs --out FILE.png");
    }
    RunConfig c = ConfigArgs.load(line).resolved();
    BadExamples bad = new BadExamples(c.getData().getSkipBadExamples(), console::warn);
    Dataset ds = load(c, console, bad);
    String which = line.getOptionValue("split", "train");
    Split split = switch (which) {
      case "train" -> ds.train();
      case "val" -> ds.val();
      case "test" -> ds.test();
      default -> throw TfpeftException.usage("--split must be train, val or test");
    };
    if (split.isEmpty()) {
      throw TfpeftException.usage("the " + which + " split is empty");
    }
    int count = line.hasOption("count") ? OptionValues.integer(line, "count", 0, 0) : 16;
    var transform = which.equals("train") ? c.getData().getTrainTransform()
        : c.getData().getEvalTransform();
    Preprocess p = Transforms.build(transform, ModelInputs.imageSize(c));
    PreviewGrid.write(split, p, transform, count, c.getSeed(), ds.classNames(), Path.of(out));
    console.println("wrote " + Math.min(count, split.size()) + " " + which + " images to " + out);
    return 0;
  }
}
