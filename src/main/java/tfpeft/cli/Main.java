package tfpeft.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import tfpeft.TfpeftException;
import tfpeft.Version;

/**
 * {@code tfpeft <command> [options]}. Exit codes: 0 success, 2 usage or config error (a bad
 * flag, config, path or input file), 1 failure of the run itself.
 */
public final class Main {
  private final Map<String, Command> commands = new LinkedHashMap<>();

  Main() {
    register(new TrainCommand());
    register(new EvalCommand());
    register(new PredictCommand());
    register(new ExportCommand());
    register(new InspectCommand());
    register(new ImportCommand());
    register(new PretrainCommand());
    register(new GraphCommand());
    register(new DataCommand());
    register(new ConfigCommand());
    register(new BenchCommand());
    register(new ReportCommand());
    register(new SuiteCommand());
  }

  private void register(Command c) {
    if (commands.putIfAbsent(c.name(), c) != null) {
      throw new IllegalStateException("two commands named " + c.name());
    }
  }

  public static void main(String[] args) {
    String stderr = System.getProperty("tfpeft.stderr");
    if (stderr != null) {
      // tools/tfpeft filters what native code writes to fd 2 and gives tfpeft its own copy of
      // stderr; appending, so that a stderr redirected to a file is not truncated
      try {
        System.setErr(new java.io.PrintStream(new java.io.FileOutputStream(stderr, true), true));
      } catch (java.io.IOException e) {
        System.err.println("tfpeft: cannot write to " + stderr + " (" + e.getMessage()
            + "); writing to stderr");
      }
    }
    // a suite's local job: stop when the suite process that started it is gone
    tfpeft.suite.ParentWatch.startIfAsked(System.getenv(), System.err);
    System.exit(new Main().run(args, Console.system()));
  }

  /** Runs one invocation and returns its exit code. */
  int run(String[] args, Console console) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("help") && args.length == 1) {
      printOverview(console);
      return args.length == 0 ? TfpeftException.USAGE : 0;
    }
    if (args[0].equals("--version")) {
      console.println("tfpeft " + Version.get());
      return 0;
    }
    if (args[0].equals("help")) {
      args = new String[] {args[1], "--help"};
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      console.err().println("tfpeft: unknown command '" + args[0] + "'" + suggest(args[0])
          + "; run 'tfpeft --help' for the list");
      return TfpeftException.USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    boolean verbose = Arrays.asList(rest).contains("--verbose");
    try {
      if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
        printHelp(command, console);
        return 0;
      }
      CommandLine line = new DefaultParser().parse(withCommon(command.options()), rest);
      return command.run(line, console);
    } catch (ParseException e) {
      console.err().println("tfpeft " + command.name() + ": " + e.getMessage()
          + "; run 'tfpeft " + command.name() + " --help'");
      return TfpeftException.USAGE;
    } catch (TfpeftException e) {
      console.err().println("tfpeft " + command.name() + ": error: " + e.getMessage());
      if (verbose && e.getCause() != null) {
        e.getCause().printStackTrace(console.err());
      }
      return e.exitCode();
    } catch (Exception | OutOfMemoryError e) {
      console.err().println("tfpeft " + command.name() + ": internal error (a bug; please report"
          + " it with the command line and this trace):");
      e.printStackTrace(console.err());
      return TfpeftException.FAILURE;
    }
  }

  private static Options withCommon(Options options) {
    Options all = new Options();
    options.getOptions().forEach(all::addOption);
    all.addOption(Option.builder().longOpt("verbose").desc("print causes of errors").build());
    all.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
    return all;
  }

  private String suggest(String word) {
    return commands.keySet().stream()
        .min(Comparator.comparingInt(c -> editDistance(c, word)))
        .filter(c -> editDistance(c, word) <= 2)
        .map(c -> " (did you mean '" + c + "'?)")
        .orElse("");
  }

  private static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        d[i][j] = i == 0 ? j : j == 0 ? i : Math.min(
            d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1),
            Math.min(d[i - 1][j], d[i][j - 1]) + 1);
      }
    }
    return d[a.length()][b.length()];
  }

  private void printOverview(Console console) {
    var out = console.out();
    out.println("tfpeft " + Version.get()
        + ": parameter-efficient fine-tuning of Vision Transformers and CLIP");
    out.println();
    out.println("usage: tfpeft <command> [options]     tfpeft <command> --help");
    out.println();
    out.println("commands:");
    for (Command c : commands.values()) {
      out.printf("  %-10s %s%n", c.name(), c.summary());
    }
    out.println();
    out.println("exit codes: 0 success, 2 usage or config error, 1 failure");
  }

  private void printHelp(Command command, Console console) {
    PrintWriter pw = new PrintWriter(console.out());
    HelpFormatter f = new HelpFormatter();
    f.setWidth(100);
    f.setOptionComparator(null);
    String description = command.description().isEmpty() ? "" : command.description() + "\n\n";
    f.printHelp(pw, 100, "tfpeft " + command.usage(), "\n" + command.summary() + ".\n\n"
        + description + "options:", withCommon(command.options()), 2, 4, "");
    pw.flush();
  }

  static List<String> commandNames(Main main) {
    return List.copyOf(main.commands.keySet());
  }
}
