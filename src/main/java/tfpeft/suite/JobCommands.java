package tfpeft.suite;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of a suite's jobs. {@link #ofThisJvm(String)} runs tfpeft again with the running
 * JVM's java, class path and heap limit, so the jobs run the very code that planned them.
 */
public interface JobCommands {
  /** Trains (or resumes, or finds finished) the run of {@code config}: {@code tfpeft train}. */
  List<String> train(Path config);

  /** Evaluates the run in {@code runDir} on the data of {@code dataFile}: {@code tfpeft eval}. */
  List<String> eval(Path runDir, Path dataFile);

  /** tfpeft run as {@code mainClass} (the command line's entry point) on this JVM's class path. */
  static JobCommands ofThisJvm(String mainClass) {
    List<String> java = new ArrayList<>();
    java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-Xmx") || a.startsWith("-Xss")) {
        java.add(a);
      }
    }
    java.add("-cp");
    java.add(System.getProperty("java.class.path"));
    java.add(mainClass);
    List<String> prefix = List.copyOf(java);
    return new JobCommands() {
      @Override
      public List<String> train(Path config) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of("train", "--config", config.toString()));
        return c;
      }

      @Override
      public List<String> eval(Path runDir, Path dataFile) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of("eval", runDir.toString(), "--data", dataFile.toString()));
        return c;
      }
    };
  }
}
