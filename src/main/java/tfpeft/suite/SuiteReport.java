package tfpeft.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tfpeft.report.SuiteCharts;
import tfpeft.util.AtomicFiles;

/**
 * A suite's results as the papers' tables, in Markdown ({@code report.md}), CSV
 * ({@code report.csv}) and SVG plots: VTAB-1k style (test top-1 per task, each group's mean, the
 * mean over groups, stored MB), CoOp style (accuracy against shots per dataset and averaged;
 * base, new and H per dataset and averaged, H from the seed-averaged accuracies), and transfer
 * (source and targets). Each cell is the mean +- sample std over the seeds of the setting the
 * search selected; a run that has not finished is shown as missing, never as zero. Each file is
 * written to a temporary name and moved, so an interrupted report leaves the previous one whole.
 */
public final class SuiteReport {
  /** A cell: mean and sample std of the per-seed values present, of {@code expected} seeds. */
  public record Cell(double mean, double std, int n, int expected, boolean percent) {
    static Cell of(List<Double> values, int expected, boolean percent) {
      double[] xs = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(d -> d).toArray();
      if (xs.length == 0) {
        return new Cell(Double.NaN, Double.NaN, 0, expected, percent);
      }
      double sum = 0;
      for (double x : xs) {
        sum += x;
      }
      double mean = sum / xs.length;
      double ss = 0;
      for (double x : xs) {
        ss += (x - mean) * (x - mean);
      }
      return new Cell(mean, xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0, xs.length,
          expected, percent);
    }

    /** A single value without a spread (H of averaged accuracies, a stored size). */
    static Cell single(double value, int n, int expected, boolean percent) {
      return new Cell(value, Double.NaN, Double.isNaN(value) ? 0 : n, expected, percent);
    }

    public String text() {
      if (n == 0) {
        // a stored size is the method's, not a run's: none means it stores no adapters
        return percent ? "missing" : "n/a";
      }
      double scale = percent ? 100 : 1;
      String digits = percent ? "%.2f" : "%.3f";
      String s = String.format(Locale.ROOT, digits, scale * mean);
      if (!Double.isNaN(std)) {
        s += String.format(Locale.ROOT, " ± " + digits, scale * std);
      }
      return n < expected ? s + " (" + n + " of " + expected + " seeds)" : s;
    }
  }

  public record Row(String label, List<Cell> cells) {}

  public record Table(String id, String title, String caption, List<String> columns,
      List<Row> rows) {}

  private final SuitePlan plan;
  private final Function<SuitePlan.Run, Optional<RunResults.Result>> results;
  private final Function<SuitePlan.Eval, Double> evals;
  private final Function<SuitePlan.Run, Double> stored;
  private final Map<SuitePlan.Setting, Selection.Choice> choices = new LinkedHashMap<>();
  private final List<Table> tables = new ArrayList<>();
  private final Map<String, String> plots = new LinkedHashMap<>();

  /** The report of {@code plan} from what its run directories hold. */
  public static SuiteReport of(SuitePlan plan) {
    return new SuiteReport(plan, RunResults::read, RunResults::evalTop1,
        RunResults::storedMegabytes);
  }

  /** The report from the given results (for tests: hand-written results, no run directories). */
  public SuiteReport(SuitePlan plan, Function<SuitePlan.Run, Optional<RunResults.Result>> results,
      Function<SuitePlan.Eval, Double> evals, Function<SuitePlan.Run, Double> stored) {
    this.plan = plan;
    this.results = results;
    this.evals = evals;
    this.stored = stored;
    for (SuitePlan.Setting s : plan.settings()) {
      choices.put(s, Selection.select(plan, s, results));
    }
    switch (plan.protocol()) {
      case FEW_SHOT -> fewShot();
      case BASE_TO_NEW -> baseToNew();
      case TRANSFER -> transfer();
      default -> standard();
    }
  }

  public List<Table> tables() {
    return List.copyOf(tables);
  }

  /** SVG documents by file name. */
  public Map<String, String> plots() {
    return Map.copyOf(plots);
  }

  private String title() {
    return plan.config().getTitle().isEmpty() ? plan.config().getName()
        : plan.config().getTitle();
  }

  private int seedCount() {
    return plan.seeds().size();
  }

  /** The selected runs of a setting by seed, each with {@code value} of its result (NaN: none). */
  private List<Double> perSeed(SuitePlan.Setting s, Function<RunResults.Result, Double> value) {
    List<Double> out = new ArrayList<>();
    for (long seed : plan.seeds()) {
      out.add(selectedRun(s, seed).flatMap(results::apply).map(value).orElse(Double.NaN));
    }
    return out;
  }

  /** The run of {@code seed} at the setting's selected grid point; empty when none is selected. */
  private Optional<SuitePlan.Run> selectedRun(SuitePlan.Setting s, long seed) {
    Selection.Choice c = choices.get(s);
    if (c.point() == null) {
      return Optional.empty();
    }
    return plan.runs(s, c.point()).stream().filter(r -> r.seed() == seed).reduce((a, b) -> b);
  }

  /** Per seed, the mean over {@code columns} (NaN where any is missing). */
  private static List<Double> meanOver(List<List<Double>> columns, int seeds) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < seeds; i++) {
      double sum = 0;
      for (List<Double> c : columns) {
        sum += c.get(i);
      }
      out.add(columns.isEmpty() ? Double.NaN : sum / columns.size());
    }
    return out;
  }

  private String caption(String what) {
    StringBuilder sb = new StringBuilder(what + " Each cell is the mean ± sample std over seeds "
        + plan.seeds().toString().replaceAll("[\\[\\]]", "") + "; 'missing' marks a setting"
        + " without a finished run.");
    if (plan.settings().stream().anyMatch(plan::searched)) {
      sb.append(" Search: ").append(Selection.rule(plan.config().getSelection(),
          plan.seeds().get(0))).append(" (the selections are listed below).");
    }
    return sb.toString();
  }

  private void standard() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    boolean grouped = plan.tasks().stream().anyMatch(t -> !t.group().isEmpty());
    for (SuitePlan.Task t : plan.tasks()) {
      groups.computeIfAbsent(t.group().isEmpty() ? "other" : t.group(), g -> new ArrayList<>())
          .add(t.name());
    }
    List<String> columns = new ArrayList<>();
    groups.values().forEach(columns::addAll);
    if (grouped) {
      groups.keySet().forEach(g -> columns.add(g + " mean"));
    }
    columns.add("mean");
    columns.add("stored MB");
    List<Row> rows = new ArrayList<>();
    double[] means = new double[plan.methods().size()];
    for (int mi = 0; mi < plan.methods().size(); mi++) {
      String m = plan.methods().get(mi);
      List<Cell> cells = new ArrayList<>();
      Map<String, List<Double>> byTask = new LinkedHashMap<>();
      for (List<String> tasks : groups.values()) {
        for (String t : tasks) {
          List<Double> v = perSeed(new SuitePlan.Setting(t, m, 0), RunResults.Result::test);
          byTask.put(t, v);
          cells.add(Cell.of(v, seedCount(), true));
        }
      }
      List<List<Double>> groupMeans = new ArrayList<>();
      for (List<String> tasks : groups.values()) {
        groupMeans.add(meanOver(tasks.stream().map(byTask::get).toList(), seedCount()));
      }
      if (grouped) {
        groupMeans.forEach(g -> cells.add(Cell.of(g, seedCount(), true)));
      }
      Cell mean = Cell.of(grouped ? meanOver(groupMeans, seedCount())
          : meanOver(List.copyOf(byTask.values()), seedCount()), seedCount(), true);
      cells.add(mean);
      means[mi] = mean.mean();
      cells.add(Cell.single(storedOf(m), 1, 1, false));
      rows.add(new Row(m, cells));
    }
    tables.add(new Table("tasks", title(), caption("Test top-1 (%) per task"
        + (grouped ? ", the mean of each group's tasks, and the mean of the group means" : " and"
        + " their mean") + "; stored MB: the method's stored adapter weights (no head), MB ="
        + " 2^20 bytes (n/a: a method that stores no adapters)."), columns, rows));
    plots.put("mean.svg", SuiteCharts.bars(title() + ": mean test top-1", "test top-1",
        plan.methods(), means));
  }

  private double storedOf(String method) {
    for (SuitePlan.Setting s : plan.settings()) {
      Selection.Choice c = choices.get(s);
      if (s.method().equals(method) && c.point() != null) {
        for (SuitePlan.Run r : plan.runs(s, c.point())) {
          double mb = stored.apply(r);
          if (!Double.isNaN(mb)) {
            return mb;
          }
        }
      }
    }
    return Double.NaN;
  }

  private void fewShot() {
    List<String> columns = plan.shots().stream().map(k -> k + "-shot").toList();
    double[] x = plan.shots().stream().mapToDouble(k -> k).toArray();
    for (SuitePlan.Task t : plan.tasks()) {
      List<Row> rows = new ArrayList<>();
      List<double[]> lines = new ArrayList<>();
      for (String m : plan.methods()) {
        List<Cell> cells = new ArrayList<>();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          int k = plan.shots().get(i);
          List<Double> v = perSeed(new SuitePlan.Setting(t.name(), m, k),
              RunResults.Result::test);
          Cell c = Cell.of(v, seedCount(), true);
          cells.add(c);
          y[i] = c.mean();
        }
        rows.add(new Row(m, cells));
        lines.add(y);
      }
      tables.add(new Table("shots-" + t.name(), title() + ": " + t.name(),
          caption("Test top-1 (%) on " + t.name() + " against shots per class."), columns,
          rows));
      plots.put("shots-" + t.name() + ".svg", SuiteCharts.lines(title() + ": " + t.name(),
          "shots per class", "test top-1", x, plan.methods(), lines));
    }
    List<Row> rows = new ArrayList<>();
    List<double[]> lines = new ArrayList<>();
    for (String m : plan.methods()) {
      List<Cell> cells = new ArrayList<>();
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        int k = plan.shots().get(i);
        List<List<Double>> perTask = new ArrayList<>();
        for (SuitePlan.Task t : plan.tasks()) {
          perTask.add(perSeed(new SuitePlan.Setting(t.name(), m, k), RunResults.Result::test));
        }
        Cell c = Cell.of(meanOver(perTask, seedCount()), seedCount(), true);
        cells.add(c);
        y[i] = c.mean();
      }
      rows.add(new Row(m, cells));
      lines.add(y);
    }
    tables.add(0, new Table("shots-average", title() + ": average over "
        + plan.tasks().size() + " datasets", caption("Test top-1 (%) averaged over the"
        + " datasets, against shots per class (per seed the mean over the datasets)."),
        columns, rows));
    plots.put("shots-average.svg", SuiteCharts.lines(title() + ": average", "shots per class",
        "test top-1", x, plan.methods(), lines));
  }

  private void baseToNew() {
    List<String> columns = List.of("base", "new", "H");
    Map<String, List<List<Double>>> bases = new LinkedHashMap<>();
    Map<String, List<List<Double>>> novels = new LinkedHashMap<>();
    for (SuitePlan.Task t : plan.tasks()) {
      List<Row> rows = new ArrayList<>();
      for (String m : plan.methods()) {
        SuitePlan.Setting s = new SuitePlan.Setting(t.name(), m, 0);
        List<Double> b = perSeed(s, RunResults.Result::base);
        List<Double> n = perSeed(s, RunResults.Result::novel);
        bases.computeIfAbsent(m, q -> new ArrayList<>()).add(b);
        novels.computeIfAbsent(m, q -> new ArrayList<>()).add(n);
        rows.add(new Row(m, b2nCells(b, n)));
      }
      tables.add(new Table("base-to-new-" + t.name(), title() + ": " + t.name(),
          caption("Base-to-new on " + t.name() + ": test top-1 (%) on the base classes, on the"
              + " new classes, and H, their harmonic mean, from the seed-averaged base and new"
              + " accuracies."), columns, rows));
    }
    List<Row> rows = new ArrayList<>();
    double[] h = new double[plan.methods().size()];
    for (int mi = 0; mi < plan.methods().size(); mi++) {
      String m = plan.methods().get(mi);
      List<Cell> cells = b2nCells(meanOver(bases.get(m), seedCount()),
          meanOver(novels.get(m), seedCount()));
      rows.add(new Row(m, cells));
      h[mi] = cells.get(2).mean();
    }
    tables.add(0, new Table("base-to-new-average", title() + ": average over "
        + plan.tasks().size() + " datasets", caption("Base-to-new averaged over the datasets"
        + " (per seed the mean over the datasets); H from the averaged base and new."),
        columns, rows));
    plots.put("harmonic-mean.svg", SuiteCharts.bars(title() + ": H, average", "H",
        plan.methods(), h));
  }

  /** Base and new cells and H of their means (as the CoOp papers compute it). */
  private List<Cell> b2nCells(List<Double> base, List<Double> novel) {
    Cell b = Cell.of(base, seedCount(), true);
    Cell n = Cell.of(novel, seedCount(), true);
    double h = b.n() == 0 || n.n() == 0 ? Double.NaN
        : b.mean() + n.mean() == 0 ? 0 : 2 * b.mean() * n.mean() / (b.mean() + n.mean());
    return List.of(b, n, Cell.single(h, Math.min(b.n(), n.n()), seedCount(), true));
  }

  private void transfer() {
    String source = plan.config().getProtocol().getTransfer().getSource();
    boolean dg = plan.config().getProtocol().getTransfer().getKind()
        == tfpeft.config.proto.TransferKind.DOMAIN_GENERALIZATION;
    List<String> columns = new ArrayList<>();
    columns.add(source + " (source)");
    columns.addAll(plan.targets());
    columns.add("target mean");
    List<Row> rows = new ArrayList<>();
    double[] means = new double[plan.methods().size()];
    for (int mi = 0; mi < plan.methods().size(); mi++) {
      String m = plan.methods().get(mi);
      SuitePlan.Setting s = new SuitePlan.Setting(source, m, 0);
      List<Cell> cells = new ArrayList<>();
      cells.add(Cell.of(perSeed(s, RunResults.Result::test), seedCount(), true));
      List<List<Double>> targets = new ArrayList<>();
      for (String target : plan.targets()) {
        List<Double> v = new ArrayList<>();
        for (long seed : plan.seeds()) {
          double x = Double.NaN;
          for (SuitePlan.Run r : selectedRun(s, seed).stream().toList()) {
            for (SuitePlan.Eval e : plan.evals(r)) {
              if (e.target().equals(target)) {
                x = evals.apply(e);
              }
            }
          }
          v.add(x);
        }
        targets.add(v);
        cells.add(Cell.of(v, seedCount(), true));
      }
      Cell mean = Cell.of(meanOver(targets, seedCount()), seedCount(), true);
      cells.add(mean);
      means[mi] = mean.mean();
      rows.add(new Row(m, cells));
    }
    tables.add(new Table("transfer", title(), caption((dg ? "Domain generalization" :
        "Cross-dataset transfer") + ": test top-1 (%) of the runs trained on " + source
        + ", on its test split and, evaluated with tfpeft eval --data, on each target's."),
        columns, rows));
    plots.put("targets.svg", SuiteCharts.bars(title() + ": target mean", "test top-1",
        plan.methods(), means));
  }

  /** The report as Markdown. */
  public String markdown() {
    StringBuilder sb = new StringBuilder("# " + title() + "\n\n");
    for (Table t : tables) {
      sb.append("## ").append(t.title()).append("\n\n").append(t.caption()).append("\n\n");
      sb.append("| method | ").append(String.join(" | ", t.columns())).append(" |\n|---|");
      sb.append("---|".repeat(t.columns().size())).append('\n');
      for (Row r : t.rows()) {
        sb.append("| ").append(r.label());
        for (Cell c : r.cells()) {
          sb.append(" | ").append(c.text());
        }
        sb.append(" |\n");
      }
      sb.append('\n');
    }
    for (String plot : plots.keySet()) {
      sb.append("![").append(plot).append("](").append(plot).append(")\n\n");
    }
    List<String> selections = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<SuitePlan.Setting, Selection.Choice> e : choices.entrySet()) {
      Selection.Choice c = e.getValue();
      if (!c.problem().isEmpty()) {
        problems.add("- " + e.getKey().key() + ": " + c.problem());
      } else if (plan.searched(e.getKey())) {
        selections.add("| " + e.getKey().key() + " | " + c.point().label() + " | "
            + String.format(Locale.ROOT, "%.2f", 100 * c.score()) + " |"
            + (c.complete() ? "" : " (search incomplete)"));
      }
    }
    if (!selections.isEmpty()) {
      sb.append("## Selected settings\n\n").append(Selection.rule(plan.config().getSelection(),
          plan.seeds().get(0))).append(".\n\n| setting | selected | validation top-1 (%) |\n"
          + "|---|---|---|\n").append(String.join("\n", selections)).append("\n\n");
    }
    List<String> missing = new ArrayList<>();
    for (SuitePlan.Setting s : plan.settings()) {
      Selection.Choice c = choices.get(s);
      if (c.point() == null) {
        continue;
      }
      for (SuitePlan.Run r : plan.runs(s, c.point())) {
        if (results.apply(r).isEmpty()) {
          missing.add("- " + r.id() + " (" + r.runDir() + ", log " + r.log() + ")");
        }
      }
    }
    if (!problems.isEmpty() || !missing.isEmpty()) {
      sb.append("## Not finished\n\n").append(String.join("\n", problems))
          .append(problems.isEmpty() ? "" : "\n").append(String.join("\n", missing))
          .append("\n");
    }
    return sb.toString();
  }

  /** The tables as CSV, one line per cell (accuracies in %, stored size in MB). */
  public String csv() {
    StringBuilder sb = new StringBuilder("table,row,column,mean,std,seeds,of_seeds\n");
    for (Table t : tables) {
      for (Row r : t.rows()) {
        for (int i = 0; i < r.cells().size(); i++) {
          Cell c = r.cells().get(i);
          double scale = c.percent() ? 100 : 1;
          sb.append(csvField(t.id())).append(',').append(csvField(r.label())).append(',')
              .append(csvField(t.columns().get(i))).append(',')
              .append(c.n() == 0 ? "" : String.format(Locale.ROOT, "%.4f", scale * c.mean()))
              .append(',').append(c.n() == 0 || Double.isNaN(c.std()) ? ""
                  : String.format(Locale.ROOT, "%.4f", scale * c.std()))
              .append(',').append(c.n()).append(',').append(c.expected()).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Writes report.md, report.csv and the plots into {@code out}, each file atomically. */
  public void write(Path out) {
    for (Map.Entry<String, String> p : plots.entrySet()) {
      AtomicFiles.writeString(out.resolve(p.getKey()), p.getValue());
    }
    AtomicFiles.writeString(out.resolve("report.csv"), csv());
    AtomicFiles.writeString(out.resolve("report.md"), markdown());
  }
}
