package tfpeft.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tfpeft.config.LoadedSuite;
import tfpeft.config.proto.SearchAxis;
import tfpeft.config.proto.SuiteConfig;
import tfpeft.config.proto.SuiteMethod;
import tfpeft.config.proto.SuiteProtocol;
import tfpeft.config.proto.SuiteTask;

/**
 * A suite expanded into its runs: the table's settings (task x method, x shots under the few-shot
 * protocol), each setting's search grid, and one run per setting, grid point and seed, named
 * {@code <task>-<method>[-<K>shot][-<point>]-s<seed>}. The expansion is names only (nothing is
 * read or written), so that a report re-expands the suite copy kept in its directory.
 */
public final class SuitePlan {
  /** The suite directory's layout. */
  public static final String RUNS = "runs";
  public static final String CONFIGS = "configs";
  public static final String LOGS = "logs";
  public static final String DATA = "data";
  /** The suite config as the suite ran it, for the report. */
  public static final String SUITE_COPY = "suite.pbtxt";
  /** The expanded plan: every run, its config and directory, the selections made. */
  public static final String PLAN = "suite.json";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");

  public enum Protocol { STANDARD, FEW_SHOT, BASE_TO_NEW, TRANSFER }

  public record Task(String name, String group) {}

  /**
   * One point of a setting's search grid.
   *
   * @param label what the tables show ("knowledge_checkpoint=DA scale=0.01"); empty without a
   *     search
   * @param idPart the same in run names ("knowledge_checkpoint-DA-scale-0.01")
   * @param overrides the {@code --set} lines of the point
   * @param paths the suite field path of each override, for errors
   */
  public record Point(String label, String idPart, List<String> overrides, List<String> paths) {}

  /** A cell of the table: one method on one task, at one shot count (0 outside few-shot). */
  public record Setting(String task, String method, int shots) {
    public String key() {
      return task + "/" + method + (shots > 0 ? "/" + shots + "-shot" : "");
    }
  }

  /** One training run. */
  public record Run(String id, Setting setting, Point point, long seed, Path configFile,
      Path runDir, Path log) {}

  /** One evaluation of a trained run on a transfer target (tfpeft eval --data). */
  public record Eval(String id, Run run, String target, Path dataFile, Path log) {}

  private final SuiteConfig config;
  private final Path dir;
  private final Protocol protocol;
  private final List<Task> tasks = new ArrayList<>();
  private final List<String> methods = new ArrayList<>();
  private final List<Long> seeds = new ArrayList<>();
  private final List<Integer> shots = new ArrayList<>();
  private final Map<Setting, List<Point>> grid = new LinkedHashMap<>();
  private final List<Run> runs = new ArrayList<>();

  private SuitePlan(SuiteConfig config, Path dir) {
    this.config = config;
    this.dir = dir;
    this.protocol = switch (config.getProtocol().getKindCase()) {
      case FEW_SHOT -> Protocol.FEW_SHOT;
      case BASE_TO_NEW -> Protocol.BASE_TO_NEW;
      case TRANSFER -> Protocol.TRANSFER;
      default -> Protocol.STANDARD;
    };
  }

  /** The suite directory a suite config names: {@code <output_dir>/<name>}. */
  public static Path directoryOf(LoadedSuite suite) {
    String name = suite.config().getName();
    if (!SAFE.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw suite.error("name", "'" + name + "' is not a plain name (letters, digits, '-', '_',"
          + " '.'); the suite directory is <output_dir>/<name>");
    }
    return Path.of(suite.config().getOutputDir()).resolve(name);
  }

  /** Expands {@code suite} with its directory at {@code dir}; bad names are errors at their line. */
  public static SuitePlan expand(LoadedSuite suite, Path dir) {
    SuiteConfig c = suite.config();
    SuitePlan plan = new SuitePlan(c, dir);
    if (c.getTaskCount() == 0) {
      throw suite.error("", "a suite needs at least one 'task { name: ... }' block");
    }
    if (c.getMethodCount() == 0) {
      throw suite.error("", "a suite needs at least one 'method { name: ... config: ... }' block");
    }
    Map<String, Integer> taskIndex = new HashMap<>();
    for (int i = 0; i < c.getTaskCount(); i++) {
      SuiteTask t = c.getTask(i);
      checkName(suite, "task[" + i + "].name", t.getName());
      Integer before = taskIndex.putIfAbsent(t.getName(), i);
      if (before != null) {
        throw suite.error("task[" + i + "].name", "two tasks are named '" + t.getName()
            + "' (the other at " + suite.where("task[" + before + "]") + "); give each its own"
            + " name");
      }
      plan.tasks.add(new Task(t.getName(), t.getGroup()));
    }
    Map<String, Integer> methodIndex = new HashMap<>();
    for (int i = 0; i < c.getMethodCount(); i++) {
      SuiteMethod m = c.getMethod(i);
      checkName(suite, "method[" + i + "].name", m.getName());
      Integer before = methodIndex.putIfAbsent(m.getName(), i);
      if (before != null) {
        throw suite.error("method[" + i + "].name", "two methods are named '" + m.getName()
            + "' (the other at " + suite.where("method[" + before + "]") + "); give each its"
            + " own name");
      }
      plan.methods.add(m.getName());
      for (int a = 0; a < m.getSearchCount(); a++) {
        if (m.getSearch(a).getValueCount() == 0) {
          throw suite.error("method[" + i + "].search[" + a + "]", "a search axis needs at least"
              + " one value");
        }
      }
    }
    List<Long> seen = new ArrayList<>();
    for (int i = 0; i < c.getSeedCount(); i++) {
      if (seen.contains(c.getSeed(i))) {
        throw suite.error("seed", "seed " + c.getSeed(i) + " is listed twice");
      }
      seen.add(c.getSeed(i));
    }
    plan.seeds.addAll(seen.isEmpty() ? List.of(1L) : seen);
    List<String> trainedTasks = new ArrayList<>(taskIndex.keySet());
    SuiteProtocol p = c.getProtocol();
    if (plan.protocol == Protocol.FEW_SHOT) {
      if (p.getFewShot().getShotsCount() == 0) {
        throw suite.error("protocol.few_shot", "give the shots per class, e.g. 'shots: [1, 2, 4,"
            + " 8, 16]'");
      }
      for (int k : p.getFewShot().getShotsList()) {
        if (plan.shots.contains(k)) {
          throw suite.error("protocol.few_shot.shots", k + " shots are listed twice");
        }
        plan.shots.add(k);
      }
    } else {
      plan.shots.add(0);
    }
    if (plan.protocol == Protocol.TRANSFER) {
      var t = p.getTransfer();
      if (!taskIndex.containsKey(t.getSource())) {
        throw suite.error("protocol.transfer.source", "no task is named '" + t.getSource()
            + "'; the tasks are " + String.join(", ", plan.taskNames()));
      }
      if (t.getTargetCount() == 0) {
        throw suite.error("protocol.transfer", "give at least one target task");
      }
      for (String target : t.getTargetList()) {
        if (!taskIndex.containsKey(target)) {
          throw suite.error("protocol.transfer.target", "no task is named '" + target
              + "'; the tasks are " + String.join(", ", plan.taskNames()));
        }
      }
      trainedTasks = List.of(t.getSource());
    }
    Map<String, Run> byId = new HashMap<>();
    for (Task task : plan.tasks) {
      if (!trainedTasks.contains(task.name())) {
        continue;
      }
      for (int mi = 0; mi < c.getMethodCount(); mi++) {
        SuiteMethod m = c.getMethod(mi);
        List<Point> points = grid(m, "method[" + mi + "]");
        for (int k : plan.shots) {
          Setting s = new Setting(task.name(), m.getName(), k);
          plan.grid.put(s, points);
          for (Point point : points) {
            for (long seed : plan.seeds) {
              String id = task.name() + "-" + m.getName() + (k > 0 ? "-" + k + "shot" : "")
                  + (point.idPart().isEmpty() ? "" : "-" + point.idPart()) + "-s" + seed;
              Run run = new Run(id, s, point, seed, dir.resolve(CONFIGS).resolve(id + ".pbtxt"),
                  dir.resolve(RUNS).resolve(id), dir.resolve(LOGS).resolve(id + ".log"));
              Run other = byId.putIfAbsent(id, run);
              if (other != null) {
                throw suite.error("method[" + mi + "].search", "two runs would be named '" + id
                    + "' (" + s.key() + " " + point.label() + " and " + other.setting().key()
                    + " " + other.point().label() + "); give the search axes labels or values"
                    + " that stay apart in file names");
              }
              plan.runs.add(run);
            }
          }
        }
      }
    }
    return plan;
  }

  private static void checkName(LoadedSuite suite, String path, String name) {
    if (!SAFE.matcher(name).matches()) {
      throw suite.error(path, "'" + name + "' is not a plain name: use letters, digits, '-',"
          + " '_' and '.' (it names run directories)");
    }
  }

  /** Every combination of the method's search axes, the first axis varying slowest. */
  private static List<Point> grid(SuiteMethod m, String path) {
    List<Point> points = new ArrayList<>();
    points.add(new Point("", "", List.of(), List.of()));
    for (int a = 0; a < m.getSearchCount(); a++) {
      SearchAxis axis = m.getSearch(a);
      String label = axis.getLabel().isEmpty()
          ? axis.getField().substring(axis.getField().lastIndexOf('.') + 1) : axis.getLabel();
      List<Point> next = new ArrayList<>();
      for (Point p : points) {
        for (int v = 0; v < axis.getValueCount(); v++) {
          String value = axis.getValue(v);
          List<String> overrides = new ArrayList<>(p.overrides());
          overrides.add(axis.getField() + "=" + value);
          List<String> paths = new ArrayList<>(p.paths());
          paths.add(path + ".search[" + a + "].value[" + v + "]");
          String shown = label + "=" + value;
          String id = (label + "-" + value).replaceAll("[^A-Za-z0-9._-]", "_");
          next.add(new Point(p.label().isEmpty() ? shown : p.label() + " " + shown,
              p.idPart().isEmpty() ? id : p.idPart() + "-" + id, List.copyOf(overrides),
              List.copyOf(paths)));
        }
      }
      points = next;
    }
    return List.copyOf(points);
  }

  public SuiteConfig config() {
    return config;
  }

  public Path dir() {
    return dir;
  }

  public Protocol protocol() {
    return protocol;
  }

  public List<Task> tasks() {
    return List.copyOf(tasks);
  }

  public List<String> taskNames() {
    return tasks.stream().map(Task::name).toList();
  }

  public List<String> methods() {
    return List.copyOf(methods);
  }

  public List<Long> seeds() {
    return List.copyOf(seeds);
  }

  /** The shot counts of the few-shot protocol; [0] otherwise. */
  public List<Integer> shots() {
    return List.copyOf(shots);
  }

  public List<Setting> settings() {
    return List.copyOf(grid.keySet());
  }

  public List<Point> points(Setting s) {
    return grid.get(s);
  }

  public List<Run> runs() {
    return List.copyOf(runs);
  }

  public List<Run> runs(Setting s, Point p) {
    return runs.stream().filter(r -> r.setting().equals(s) && r.point().equals(p)).toList();
  }

  /** Whether the setting's grid has more than one point, so that a selection is made. */
  public boolean searched(Setting s) {
    return grid.get(s).size() > 1;
  }

  /** The transfer targets (empty outside the transfer protocol). */
  public List<String> targets() {
    return protocol == Protocol.TRANSFER ? config.getProtocol().getTransfer().getTargetList()
        : List.of();
  }

  /** The evaluations of {@code run} on each transfer target. */
  public List<Eval> evals(Run run) {
    List<Eval> out = new ArrayList<>();
    for (String target : targets()) {
      String id = run.id() + "-on-" + target;
      out.add(new Eval(id, run, target, dir.resolve(DATA).resolve(target + ".pbtxt"),
          dir.resolve(LOGS).resolve(id + ".log")));
    }
    return out;
  }

  /**
   * How many runs the suite trains: the first stage, then each searched setting's selected point
   * with the seeds the search did not run.
   */
  public int trainedAtMost() {
    int n = firstStage().size();
    if (config.getSelection() == tfpeft.config.proto.SearchSelection.FIRST_SEED) {
      for (Setting s : grid.keySet()) {
        if (searched(s)) {
          n += seeds.size() - 1;
        }
      }
    }
    return n;
  }

  /** The runs the first stage trains: the search's (see {@link tfpeft.config.proto.SearchSelection}) and the rest. */
  public List<Run> firstStage() {
    List<Run> out = new ArrayList<>();
    long first = seeds.get(0);
    boolean firstSeedOnly = config.getSelection()
        == tfpeft.config.proto.SearchSelection.FIRST_SEED;
    for (Run r : runs) {
      if (!searched(r.setting()) || !firstSeedOnly || r.seed() == first) {
        out.add(r);
      }
    }
    return out;
  }
}
