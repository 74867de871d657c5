package tfpeft.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigReference;
import tfpeft.config.LoadedSuite;
import tfpeft.config.SuiteLoader;
import tfpeft.config.proto.Executor;
import tfpeft.config.proto.SuiteConfig;
import tfpeft.suite.JobCommands;
import tfpeft.suite.SuiteExecutor;
import tfpeft.suite.SuiteExecutors;
import tfpeft.suite.SuitePlan;
import tfpeft.suite.SuitePreparation;
import tfpeft.suite.SuiteProgress;
import tfpeft.suite.SuiteReport;
import tfpeft.suite.SuiteRunner;
import tfpeft.util.DirectoryLock;

/** {@code tfpeft suite run|report|reference}: a paper's protocol of many runs, and its tables. */
final class SuiteCommand implements Command {
  @Override
  public String name() {
    return "suite";
  }

  @Override
  public String summary() {
    return "run a suite of tasks x methods x seeds with a per-task search, and write its tables";
  }

  @Override
  public String usage() {
    return "suite run SUITE.pbtxt [--jobs N] [--threads T] [--dry-run]\n"
        + "       tfpeft suite report SUITE.pbtxt|SUITE_DIR [--out DIR]\n"
        + "       tfpeft suite reference";
  }

  @Override
  public String description() {
    return "run: expands the suite config into runs (each its own run directory under"
        + " <output_dir>/<name>/runs/, its config under configs/, its log under logs/), checks"
        + " every run's config before anything starts (exit 2 naming the suite file, line and"
        + " field), writes the plan (suite.json), and runs the search's runs, then the selected"
        + " settings' other seeds, then the transfer evaluations; --jobs N at once, each with"
        + " --threads T TensorFlow threads (N x T must fit the cores; T defaults to cores / N)."
        + " A finished run is skipped, a stopped one resumes from its last checkpoint, a failed"
        + " one is retried once and then listed with its log (exit 1). Ctrl-C stops the runs;"
        + " running the same command again continues. It ends by writing the report."
        + " --dry-run checks and lists the runs without writing or running anything.\n"
        + "report: writes report.md, report.csv and SVG plots into SUITE_DIR/report (or --out):"
        + " the paper's tables from the finished runs, mean +- std over seeds, missing runs"
        + " shown as missing.\nreference: prints every suite config field as Markdown.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder("j").longOpt("jobs").hasArg().argName("N")
        .desc("runs at once (default: the suite's jobs)").build());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("TensorFlow threads of each run (default: the suite's threads_per_job, or cores /"
            + " jobs)").build());
    o.addOption(Option.builder().longOpt("dry-run")
        .desc("check the suite and list its runs; write and run nothing").build());
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
        .desc("report: output directory (default SUITE_DIR/report)").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    List<String> args = line.getArgList();
    String sub = args.isEmpty() ? "" : args.get(0);
    switch (sub) {
      case "run" -> {
        return runSuite(oneFile(args, "run"), line, console);
      }
      case "report" -> {
        return report(oneFile(args, "report"), line, console);
      }
      case "reference" -> {
        console.out().print(ConfigReference.markdown(SuiteConfig.getDescriptor()));
        return 0;
      }
      default -> throw TfpeftException.usage("expected 'suite run', 'suite report' or 'suite"
          + " reference'" + (sub.isEmpty() ? "" : ", got '" + sub + "'"));
    }
  }

  private static Path oneFile(List<String> args, String sub) {
    if (args.size() != 2) {
      throw TfpeftException.usage("suite " + sub + " takes one suite config"
          + (sub.equals("report") ? " or suite directory" : "") + ", e.g. tfpeft suite " + sub
          + " configs/suites/pear-table2-synthetic.pbtxt");
    }
    return Path.of(args.get(1));
  }

  private static int intOption(CommandLine line, String name, int fallback, int min) {
    if (!line.hasOption(name)) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(line.getOptionValue(name));
      if (v < min) {
        throw TfpeftException.usage("--" + name + " must be >= " + min + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw TfpeftException.usage("--" + name + " takes a whole number, got '"
          + line.getOptionValue(name) + "'");
    }
  }

  private static int runSuite(Path file, CommandLine line, Console console) throws Exception {
    LoadedSuite suite = SuiteLoader.load(file);
    Path dir = SuitePlan.directoryOf(suite);
    SuitePlan plan = SuitePlan.expand(suite, dir);
    int jobs = intOption(line, "jobs", suite.config().getJobs(), 1);
    int threads = SuiteExecutors.threads(suite, jobs, intOption(line, "threads",
        suite.config().getThreadsPerJob(), 1), Runtime.getRuntime().availableProcessors());
    SuitePreparation prepared = SuitePreparation.prepare(suite, plan, threads);
    boolean slurm = suite.config().getExecutor() == Executor.SLURM;
    String placement = slurm ? "as Slurm job arrays with " + threads + " CPU"
        + (threads == 1 ? "" : "s") + " per task"
        : jobs + " at once with " + threads + " threads each";
    if (line.hasOption("dry-run")) {
      for (SuitePlan.Run r : plan.runs()) {
        console.println(r.id() + "  " + r.configFile());
      }
      long searched = plan.settings().stream().filter(plan::searched).count();
      int later = plan.trainedAtMost() - plan.firstStage().size();
      console.println(plan.trainedAtMost() + " runs to train in " + plan.settings().size()
          + " settings (" + searched + " with a search): " + plan.firstStage().size()
          + " in the first stage" + (later > 0 ? ", then " + later + " of the selected settings'"
          + " other seeds" : "") + (plan.targets().isEmpty() ? "" : ", then "
          + plan.trainedAtMost() * plan.targets().size() + " transfer evaluations") + " ("
          + plan.runs().size() + " configs for every grid point and seed); " + placement
          + "; suite directory " + dir + " (dry run: nothing written)");
      return 0;
    }
    // made after the dry run, which lists a Slurm suite where sbatch is missing (a laptop)
    SuiteExecutor executor = SuiteExecutors.create(suite, jobs);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Files.createDirectories(dir);
    try (DirectoryLock lock = DirectoryLock.acquire(dir, "tfpeft suite run " + file)) {
      SuiteProgress progress = new SuiteProgress(console.err(), console.interactive(),
          slurm ? 0 : jobs, System::nanoTime);
      SuiteRunner runner = new SuiteRunner(plan, executor,
          JobCommands.ofThisJvm(Main.class.getName()), threads, progress, console::info);
      runner.writeFiles(text, prepared);
      // the plan holds a config for every grid point and seed; only the selected settings'
      // other seeds are trained, so the count to expect is trainedAtMost
      console.info("suite " + suite.config().getName() + ": " + plan.trainedAtMost()
          + " runs to train, " + plan.firstStage().size() + " in the first stage ("
          + plan.runs().size() + " configs for every grid point and seed in "
          + dir.resolve(SuitePlan.PLAN) + "), " + placement);
      SuiteRunner.Summary summary = runInterruptibly(runner, console,
          slurm
              ? "the submitted Slurm jobs stay queued; run the same command again to follow them"
              : "the running jobs were stopped and keep their complete checkpoints; run the same"
                  + " command again to continue");
      Path out = dir.resolve("report");
      SuiteReport.of(SuitePlan.expand(suite, dir)).write(out);
      console.println("suite " + suite.config().getName() + ": " + summary.ran() + " jobs run, "
          + summary.skipped() + " found finished, " + summary.failures().size() + " failed;"
          + " report " + out.resolve("report.md"));
      for (String f : summary.failures()) {
        console.println("  failed: " + f);
      }
      for (String p : summary.problems()) {
        console.println("  not selected: " + p);
      }
      return summary.failures().isEmpty() && summary.problems().isEmpty() ? 0
          : TfpeftException.FAILURE;
    }
  }

  /**
   * Runs the suite; Ctrl-C or SIGTERM interrupts it, which stops the local runs (their complete
   * checkpoints stay; Slurm's jobs stay queued) before the process ends, and says how to go on
   * (exit 1).
   */
  private static SuiteRunner.Summary runInterruptibly(SuiteRunner runner, Console console,
      String howToGoOn) throws IOException {
    Thread main = Thread.currentThread();
    java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    Thread hook = new Thread(() -> {
      main.interrupt();
      try {
        // the runs get their grace period to stop (LocalExecutor), then the JVM may end
        finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        // ending anyway
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return runner.run();
    } catch (InterruptedException e) {
      // printed here, before the hook is released: once it returns the JVM ends, and Main may
      // not get to print the error (seen with SIGTERM); where it does, it says only this word
      console.err().println("tfpeft suite: interrupted: " + howToGoOn);
      console.err().flush();
      throw TfpeftException.failure("interrupted");
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down
      }
    }
  }

  private static int report(Path given, CommandLine line, Console console) {
    LoadedSuite suite;
    Path dir;
    if (Files.isDirectory(given)) {
      Path copy = given.resolve(SuitePlan.SUITE_COPY);
      if (!Files.isRegularFile(copy)) {
        throw TfpeftException.usage(given + " is not a suite directory: it has no "
            + SuitePlan.SUITE_COPY + "; give the directory tfpeft suite run wrote"
            + " (<output_dir>/<name>) or the suite config");
      }
      suite = SuiteLoader.load(copy);
      dir = given;
    } else {
      suite = SuiteLoader.load(given);
      dir = SuitePlan.directoryOf(suite);
      if (!Files.isDirectory(dir)) {
        throw TfpeftException.usage(dir + " does not exist: the suite has not run; run tfpeft"
            + " suite run " + given + " first");
      }
    }
    SuiteReport report = SuiteReport.of(SuitePlan.expand(suite, dir));
    Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out"))
        : dir.resolve("report");
    report.write(out);
    console.println("wrote " + out.resolve("report.md") + ", report.csv and "
        + report.plots().size() + " plot" + (report.plots().size() == 1 ? "" : "s"));
    return 0;
  }
}
