package tfpeft.suite;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;
import tfpeft.config.LoadedSuite;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.SuiteMethod;
import tfpeft.config.proto.SuiteTask;

/**
 * Turns a plan into files: each run's config (its method's base config with the task's data,
 * the method's overrides, the protocol's, the grid point's, and the run's seed, name, directory
 * and thread count), and the data file of each transfer target. Every config is loaded and
 * validated before anything is written; an error names the suite file, line and field it came
 * from, so a suite either starts whole or not at all.
 */
public final class SuitePreparation {
  private final LoadedSuite suite;
  private final SuitePlan plan;
  private final Map<String, String> configs = new LinkedHashMap<>();
  private final Map<String, String> dataFiles = new LinkedHashMap<>();

  private SuitePreparation(LoadedSuite suite, SuitePlan plan) {
    this.suite = suite;
    this.plan = plan;
  }

  /**
   * Builds and validates every run config of {@code plan}, each with {@code threads} TensorFlow
   * threads; nothing is written.
   */
  public static SuitePreparation prepare(LoadedSuite suite, SuitePlan plan, int threads) {
    SuitePreparation p = new SuitePreparation(suite, plan);
    Map<String, DataConfig> data = p.taskData();
    for (SuitePlan.Run run : plan.runs()) {
      p.configs.put(run.id(), p.config(run, data.get(run.setting().task()), threads));
    }
    for (String target : plan.targets()) {
      int i = plan.taskNames().indexOf(target);
      if (!data.containsKey(target)) {
        throw suite.error("task[" + i + "]", "transfer target '" + target + "' needs its data"
            + " (data { ... } or data_file): tfpeft eval --data evaluates the runs on it");
      }
      p.dataFiles.put(target, "# The data of task '" + target + "' of " + suite.source()
          + " (tfpeft eval --data reads it).\ndata {\n"
          + indent(TextFormat.printer().printToString(data.get(target))) + "}\n");
    }
    return p;
  }

  /** The run configs' texts, by run id. */
  public Map<String, String> configs() {
    return configs;
  }

  /** The transfer targets' data files' texts, by task name. */
  public Map<String, String> dataFiles() {
    return dataFiles;
  }

  private Map<String, DataConfig> taskData() {
    Map<String, DataConfig> out = new LinkedHashMap<>();
    for (int i = 0; i < suite.config().getTaskCount(); i++) {
      SuiteTask t = suite.config().getTask(i);
      if (t.hasData()) {
        out.put(t.getName(), t.getData());
      } else if (t.hasDataFile()) {
        try {
          out.put(t.getName(), ConfigLoader.loadData(Path.of(t.getDataFile())));
        } catch (TfpeftException e) {
          throw suite.error("task[" + i + "].data_file", e.getMessage());
        }
      }
    }
    return out;
  }

  private String config(SuitePlan.Run run, DataConfig data, int threads) {
    int mi = plan.methods().indexOf(run.setting().method());
    SuiteMethod m = suite.config().getMethod(mi);
    int ti = plan.taskNames().indexOf(run.setting().task());
    List<String> overrides = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    if (data != null) {
      overrides.add("data=" + TextFormat.printer().shortDebugString(data));
      paths.add("task[" + ti + "]");
    }
    for (int i = 0; i < m.getSetCount(); i++) {
      overrides.add(m.getSet(i));
      paths.add("method[" + mi + "].set[" + i + "]");
    }
    switch (plan.protocol()) {
      case FEW_SHOT -> {
        overrides.add("data.sampling.shots=" + run.setting().shots());
        paths.add("protocol.few_shot.shots");
      }
      case BASE_TO_NEW -> {
        overrides.add("data.sampling.classes=BASE");
        overrides.add("eval.base_to_new=true");
        paths.add("protocol.base_to_new");
        paths.add("protocol.base_to_new");
      }
      default -> { }
    }
    overrides.addAll(run.point().overrides());
    paths.addAll(run.point().paths());
    overrides.add("seed=" + run.seed());
    paths.add("seed");
    overrides.add("name=" + run.id());
    overrides.add("output_dir=" + run.runDir().getParent());
    overrides.add("runtime.intra_op_threads=" + threads);
    String base = m.getConfig();
    LoadedConfig loaded;
    try {
      loaded = ConfigLoader.load(Path.of(base), overrides);
    } catch (TfpeftException e) {
      String path = "method[" + mi + "].config";
      for (int i = 0; i < paths.size(); i++) {
        if (e.getMessage().startsWith("--set " + overrides.get(i) + ":")) {
          path = paths.get(i);
        }
      }
      throw suite.error(path, "run " + run.id() + ": " + e.getMessage());
    }
    StringBuilder header = new StringBuilder("# Run " + run.id() + " of suite "
        + suite.source() + ": " + base + " with\n");
    for (String o : overrides) {
      header.append("#   --set ").append(o.length() > 200 ? o.substring(0, 200) + "..." : o)
          .append('\n');
    }
    return header + TextFormat.printer().printToString(loaded.written());
  }

  private static String indent(String text) {
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n")) {
      sb.append("  ").append(line).append('\n');
    }
    return sb.toString();
  }
}
