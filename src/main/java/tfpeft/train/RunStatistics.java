package tfpeft.train;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;

/**
 * Mean and standard deviation of final results across runs (the seeds of one setting), read
 * from their {@code report.json}: test top-1 and top-k and, under base-to-new, base and new
 * accuracy with H computed from the seed-averaged base and new accuracies, as the CoOp papers
 * report it. The standard deviation is the sample one (n - 1).
 */
public record RunStatistics(List<String> runs, Map<String, double[]> values) {
  /** Mean and sample standard deviation (0 for one value). */
  public record MeanStd(double mean, double std, int n) {}

  public static MeanStd meanStd(double[] xs) {
    if (xs.length == 0) {
      return new MeanStd(Double.NaN, Double.NaN, 0);
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
    return new MeanStd(mean, xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0, xs.length);
  }

  /** The reports of {@code runDirs}; every run must have finished. */
  public static RunStatistics read(List<Path> runDirs) {
    if (runDirs.isEmpty()) {
      throw TfpeftException.usage("--runs: no run directories given");
    }
    List<String> names = new ArrayList<>();
    List<JsonObject> reports = new ArrayList<>();
    for (Path d : runDirs) {
      Path report = d.resolve(RunDirectory.REPORT);
      if (!Files.isRegularFile(report)) {
        throw TfpeftException.usage(d + ": no " + RunDirectory.REPORT + " (is it a finished"
            + " run directory?)");
      }
      names.add(d.toString());
      reports.add(RunReport.read(report));
    }
    return of(names, reports);
  }

  static RunStatistics of(List<String> names, List<JsonObject> reports) {
    Map<String, double[]> values = new LinkedHashMap<>();
    for (int i = 0; i < reports.size(); i++) {
      JsonObject r = reports.get(i);
      JsonObject test = r.getAsJsonObject("test");
      put(values, "test top-1", i, reports.size(), test.get("top1").getAsDouble());
      int k = test.get("k").getAsInt();
      if (k > 1) {
        put(values, "test top-" + k, i, reports.size(), test.get("top" + k).getAsDouble());
      }
      if (r.has("base_to_new")) {
        JsonObject b = r.getAsJsonObject("base_to_new");
        put(values, "base", i, reports.size(), b.get("base").getAsDouble());
        put(values, "new", i, reports.size(), b.get("new").getAsDouble());
      }
    }
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      for (double v : e.getValue()) {
        if (Double.isNaN(v)) {
          throw TfpeftException.usage("--runs: '" + e.getKey() + "' is missing from some"
              + " reports; compare runs of one setting");
        }
      }
    }
    return new RunStatistics(List.copyOf(names), values);
  }

  private static void put(Map<String, double[]> values, String key, int i, int n, double v) {
    double[] a = values.computeIfAbsent(key, x -> {
      double[] fresh = new double[n];
      java.util.Arrays.fill(fresh, Double.NaN);
      return fresh;
    });
    a[i] = v;
  }

  /** H of the seed-averaged base and new accuracy, or NaN without base-to-new results. */
  public double harmonicMeanOfMeans() {
    if (!values.containsKey("base")) {
      return Double.NaN;
    }
    return EvalMetrics.harmonicMean(meanStd(values.get("base")).mean(),
        meanStd(values.get("new")).mean());
  }

  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      StringBuilder s = new StringBuilder(String.format("  %-40s", runs.get(i)));
      for (Map.Entry<String, double[]> e : values.entrySet()) {
        s.append(String.format("  %s %.2f%%", e.getKey(), 100 * e.getValue()[i]));
      }
      out.add(s.toString());
    }
    out.add(runs.size() + " runs (mean +- sample std):");
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      MeanStd m = meanStd(e.getValue());
      out.add(String.format("  %-12s %6.2f%% +- %.2f", e.getKey(), 100 * m.mean(),
          100 * m.std()));
    }
    if (values.containsKey("base")) {
      out.add(String.format("  %-12s %6.2f%%  (harmonic mean of the mean base and new)", "H",
          100 * harmonicMeanOfMeans()));
    }
    return out;
  }
}
