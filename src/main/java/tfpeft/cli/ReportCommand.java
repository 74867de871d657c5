package tfpeft.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.report.ReportWriter;

/** {@code tfpeft report RUN}: a run directory as an HTML page with its plots. */
final class ReportCommand implements Command {
  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "write a run's report: an HTML page with curves, confusion matrix and method plots";
  }

  @Override
  public String usage() {
    return "report RUN_DIR [--out DIR]";
  }

  @Override
  public String description() {
    return "Reads a run directory (config.pbtxt, metrics.jsonl, report.json, eval_*.json, the"
        + " last checkpoint's method state) and writes RUN_DIR/report/index.html with its plots"
        + " as SVG files beside it: training curves (loss, learning rate, evaluation accuracy),"
        + " the confusion matrix and accuracy per class, the method's own picture (Pear's"
        + " plan, adapter positions, mask sparsity per layer, prompt shapes) and the resolved"
        + " config. The page needs no network or script; open it in any browser. A run still"
        + " training gets a page of what it has so far, saying what is missing. The output"
        + " directory must be new, empty or an earlier report.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
        .desc("output directory (default RUN_DIR/report)").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    if (line.getArgList().size() != 1) {
      throw TfpeftException.usage("report takes one run directory, e.g. tfpeft report"
          + " checkpoints/quickstart" + (line.getArgList().isEmpty() ? ""
          : " (got " + line.getArgList().size() + ")"));
    }
    Path run = Path.of(line.getArgList().get(0));
    Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out")) : null;
    ReportWriter.Written w = ReportWriter.write(run, out);
    for (String m : w.missing()) {
      console.warn(m);
    }
    console.println("wrote " + w.index() + " (" + w.plots() + " plots)");
    return 0;
  }
}
