package tfpeft.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.Graph;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.util.AtomicFiles;

/** {@code tfpeft graph}: writes the configured model's GraphDef for TensorBoard or Netron. */
final class GraphCommand implements Command {
  @Override
  public String name() {
    return "graph";
  }

  @Override
  public String summary() {
    return "write the configured model's GraphDef to graphs/";
  }

  @Override
  public String usage() {
    return "graph --config FILE [--set PATH=VALUE]... [--out FILE.pb] [--classes N]";
  }

  @Override
  public String description() {
    return "Builds the model of the run config (backbone and head) and writes its GraphDef as a"
        + " binary .pb (open it in Netron, or import it into TensorBoard). The head's class count"
        + " comes from the data source unless --classes says it.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("FILE.pb")
        .desc("output file (default graphs/<run name>.pb)").build());
    o.addOption(Option.builder().longOpt("classes").hasArg().argName("N")
        .desc("number of classes of the head (default: from the data source)").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    LoadedConfig loaded = ConfigArgs.load(line);
    RunConfig c = loaded.resolved();
    int classes;
    if (line.hasOption("classes")) {
      try {
        classes = Integer.parseInt(line.getOptionValue("classes"));
      } catch (NumberFormatException e) {
        classes = 0;
      }
      if (classes < 1) {
        throw TfpeftException.usage("--classes expects a positive integer");
      }
    } else {
      classes = DataSources.read(c.getData(), c.getSeed(), BadExamples.strict()).numClasses();
    }
    String name = c.getName().isEmpty() ? stem(loaded.source()) : c.getName();
    Path out = Path.of(line.getOptionValue("out", "graphs/" + name + ".pb"));
    try (Graph g = new Graph()) {
      Net net = new Net(g, c.getSeed());
      BuiltModel.build(net, c.getModel(), classes, c.getTraining().getDropPath() > 0);
      byte[] def = g.toGraphDef().toByteArray();
      AtomicFiles.write(out, def);
      long params = net.variables().stream().mapToLong(ModelVariable::size).sum();
      int ops = 0;
      for (var it = g.operations(); it.hasNext(); it.next()) {
        ops++;
      }
      console.println(String.format("wrote %s: %d ops, %d variables, %,d parameters, %.1f KB",
          out, ops, net.variables().size(), params, def.length / 1024.0));
    }
    return 0;
  }

  private static String stem(String path) {
    String f = Path.of(path).getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 ? f.substring(0, dot) : f;
  }
}
