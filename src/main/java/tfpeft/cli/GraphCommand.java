package tfpeft.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.Graph;
import tfpeft.config.LoadedConfig;
import tfpeft.data.SyntheticData;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ParameterCounts;
import tfpeft.train.Trainer;
import tfpeft.util.AtomicFiles;

/**
 * {@code tfpeft graph}: writes the GraphDef of a run as {@code train} builds it (the weights'
 * architecture, the method's variables and rewrites, the head or class prompts), for
 * TensorBoard or Netron.
 */
final class GraphCommand implements Command {
  @Override
  public String name() {
    return "graph";
  }

  @Override
  public String summary() {
    return "write a run's GraphDef (backbone, method and head) to graphs/";
  }

  @Override
  public String usage() {
    return "graph --config FILE [--set PATH=VALUE]... [--out FILE.pb] [--train-step]";
  }

  @Override
  public String description() {
    return "Builds the graph of the run config as train builds it: the backbone with the"
        + " architecture of model.weights (or the config's, without weights), the PEFT method's"
        + " variables (peft/<method>/) and rewrites, and the head or CLIP class prompts of the"
        + " config's data; with --train-step also the loss, gradients and optimizer. Writes its"
        + " GraphDef as a binary .pb (open it in Netron, or import it into TensorBoard). No"
        + " weights are loaded; the data is read for its classes.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("FILE.pb")
        .desc("output file (default graphs/<run name>.pb)").build());
    o.addOption(Option.builder().longOpt("train-step")
        .desc("include the training step: loss, gradients and optimizer").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    LoadedConfig loaded = ConfigArgs.load(line);
    String name = loaded.resolved().getName().isEmpty() ? stem(loaded.source())
        : loaded.resolved().getName();
    Path out = Path.of(line.getOptionValue("out", "graphs/" + name + ".pb"));
    SyntheticData.setProgress(console::info);
    Trainer trainer = new Trainer(loaded.written(), loaded.source(),
        new Trainer.Options(Trainer.Resume.AUTO, console.err(), false), MethodRegistry.builtIn());
    try (Graph g = new Graph()) {
      ParameterCounts counts = trainer.buildInto(g, line.hasOption("train-step"));
      byte[] def = g.toGraphDef().toByteArray();
      AtomicFiles.write(out, def);
      int ops = 0;
      for (var it = g.operations(); it.hasNext(); it.next()) {
        ops++;
      }
      console.println(String.format("wrote %s: %,d ops, %,d parameters (%,d trainable), %.1f KB",
          out, ops, counts.total(), counts.trainable(), def.length / 1024.0));
    }
    return 0;
  }

  private static String stem(String path) {
    String f = Path.of(path).getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 ? f.substring(0, dot) : f;
  }
}
