package tfpeft.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
import tfpeft.train.RunDirectory;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.MetricsLog;

/**
 * What a run directory holds, read for the report: the resolved config, the curves of
 * {@code metrics.jsonl}, {@code report.json}, the {@code eval_*.json} of {@code tfpeft eval},
 * and the method's summary of its last checkpoint. Whatever is missing or unreadable is noted in
 * {@link #missing()} rather than failing, so a run still training gets a page too. Every file is
 * read within a size bound, and the per-step curves are thinned to a fixed number of points.
 */
final class RunRecord {
  static final long MAX_JSON_BYTES = 16L << 20;
  static final long MAX_CONFIG_BYTES = 4L << 20;
  static final int MAX_LINE_BYTES = 1 << 20;
  static final int STEP_POINTS = 2000;
  static final int MAX_EPOCH_LINES = 20000;
  static final int MAX_EVAL_FILES = 50;

  final Path root;
  String configText;
  RunConfig config;
  JsonObject report;
  final Series stepLoss = new Series(STEP_POINTS);
  final Series stepLr = new Series(STEP_POINTS);
  /** The epoch lines in order (loss, lr, images/s and what the method added). */
  final List<JsonObject> epochs = new ArrayList<>();
  /** Evaluation top-1 per split, by epoch. */
  final Map<String, TreeMap<Integer, Double>> evalTop1 = new LinkedHashMap<>();
  final Map<String, JsonObject> evalFiles = new TreeMap<>();
  JsonObject methodSummary;
  CheckpointStore.Checkpoint latest;
  final List<String> missing = new ArrayList<>();
  int badMetricLines;

  private RunRecord(Path root) {
    this.root = root;
  }

  /** Reads the run in {@code dir}; fails (exit 2) when it is not a run directory. */
  static RunRecord read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw TfpeftException.usage(dir + ": no such directory; pass a run directory (the"
          + " output_dir/name that train writes, e.g. checkpoints/quickstart)");
    }
    RunDirectory run = new RunDirectory(dir);
    if (!Files.isRegularFile(run.config())) {
      throw TfpeftException.usage(dir + ": not a run directory (it has no "
          + RunDirectory.CONFIG + "); pass the directory train writes, e.g."
          + " checkpoints/quickstart");
    }
    RunRecord r = new RunRecord(dir);
    r.readConfig(run);
    r.readMetrics(run.metrics());
    r.report = r.readJson(run.report(), "report.json", "no test results yet (report.json is"
        + " written when the run finishes)");
    r.readEvalFiles();
    r.readCheckpoint(run);
    return r;
  }

  List<String> missing() {
    return missing;
  }

  /** The method's config name (lora, pear, mask, ...), or "unknown". */
  String method() {
    if (report != null && report.has("method") && report.get("method").isJsonPrimitive()) {
      return report.get("method").getAsString();
    }
    if (config != null && config.hasMethod()) {
      return config.getMethod().getMethodCase().name().toLowerCase(java.util.Locale.ROOT);
    }
    return "unknown";
  }

  private void readConfig(RunDirectory run) {
    try {
      if (Files.size(run.config()) > MAX_CONFIG_BYTES) {
        missing.add(RunDirectory.CONFIG + " is larger than " + (MAX_CONFIG_BYTES >> 20)
            + " MB: not shown");
        return;
      }
      configText = Files.readString(run.config(), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      missing.add(RunDirectory.CONFIG + " cannot be read (" + e.getMessage() + ")");
      return;
    }
    try {
      RunConfig.Builder b = RunConfig.newBuilder();
      TextFormat.merge(configText, b);
      config = b.build();
    } catch (TextFormat.ParseException e) {
      missing.add(RunDirectory.CONFIG + " is not a valid run config (" + e.getMessage()
          + "): its text is shown as it is");
    }
  }

  private void readMetrics(Path file) {
    if (!Files.isRegularFile(file)) {
      missing.add("no training curves yet (" + MetricsLog.FILE + " is written as the run"
          + " trains)");
      return;
    }
    try (InputStream in = Files.newInputStream(file)) {
      BoundedLines.read(in, MAX_LINE_BYTES, this::metricLine);
    } catch (IOException e) {
      missing.add(MetricsLog.FILE + " cannot be read (" + e.getMessage() + ")");
    }
    if (badMetricLines > 0) {
      missing.add(badMetricLines + " line(s) of " + MetricsLog.FILE + " could not be read and"
          + " were skipped");
    }
  }

  private void metricLine(String line) {
    if (line != null && line.isBlank()) {
      return;
    }
    JsonObject o;
    try {
      o = line == null ? null : JsonParser.parseString(line).getAsJsonObject();
    } catch (RuntimeException e) {
      o = null;
    }
    if (o == null || !o.has("kind")) {
      badMetricLines++;
      return;
    }
    try {
      switch (o.get("kind").getAsString()) {
        case "step" -> {
          double step = o.get("step").getAsDouble();
          stepLoss.add(step, number(o, "loss"));
          stepLr.add(step, number(o, "lr"));
        }
        case "epoch" -> {
          if (epochs.size() < MAX_EPOCH_LINES) {
            epochs.add(o);
          }
        }
        case "eval" -> evalTop1.computeIfAbsent(o.get("split").getAsString(),
            s -> new TreeMap<>()).put(o.get("epoch").getAsInt(), number(o, "top1"));
        default -> { }
      }
    } catch (RuntimeException e) {
      badMetricLines++;
    }
  }

  /** A number field, NaN when absent or not a number. */
  static double number(JsonObject o, String field) {
    JsonElement e = o == null ? null : o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()
        && !e.getAsJsonPrimitive().isString()) {
      return Double.NaN;
    }
    try {
      return e.getAsDouble();
    } catch (RuntimeException ex) {
      return Double.NaN;
    }
  }

  /** A field as text: a string or number as it is, other JSON as JSON, "" when absent. */
  static String text(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString()
        : e.toString();
  }

  /** A JSON object file, or null (with a note why) when absent, too large or not JSON. */
  private JsonObject readJson(Path file, String name, String whenAbsent) {
    if (!Files.isRegularFile(file)) {
      if (whenAbsent != null) {
        missing.add(whenAbsent);
      }
      return null;
    }
    try {
      if (Files.size(file) > MAX_JSON_BYTES) {
        missing.add(name + " is larger than " + (MAX_JSON_BYTES >> 20) + " MB: not read");
        return null;
      }
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      missing.add(name + " cannot be read (" + e.getMessage() + ")");
      return null;
    }
  }

  private void readEvalFiles() {
    try (var files = Files.list(root)) {
      List<Path> evals = files.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("eval_") && n.endsWith(".json") && Files.isRegularFile(p);
      }).sorted().toList();
      if (evals.size() > MAX_EVAL_FILES) {
        missing.add(evals.size() + " eval_*.json files: the first " + MAX_EVAL_FILES
            + " are shown");
      }
      JsonObject previous = null;
      for (Path p : evals.subList(0, Math.min(MAX_EVAL_FILES, evals.size()))) {
        String n = p.getFileName().toString();
        JsonObject o = readJson(p, n, null);
        if (o != null) {
          // only the last file's per-class results are shown: the others keep their totals,
          // so memory holds one file's matrix however many there are
          slim(previous);
          evalFiles.put(n, o);
          previous = o;
        }
      }
    } catch (IOException e) {
      missing.add("cannot list " + root + " (" + e.getMessage() + ")");
    }
  }

  private static void slim(JsonObject eval) {
    if (eval == null) {
      return;
    }
    for (var e : eval.entrySet()) {
      if (e.getValue().isJsonObject()) {
        JsonObject o = e.getValue().getAsJsonObject();
        o.remove("per_class");
        o.remove("confusion");
        o.remove("classes");
        slim(o);
      }
    }
  }

  private void readCheckpoint(RunDirectory run) {
    try {
      Optional<CheckpointStore.Checkpoint> l = run.checkpoints().latest();
      if (l.isEmpty()) {
        missing.add("no checkpoint yet: the method's own state is not shown");
        return;
      }
      latest = l.get();
      MethodSummary s = MethodSummary.of(Inventory.of(root));
      methodSummary = s == null ? null : s.json();
    } catch (RuntimeException e) {
      missing.add("the last checkpoint's method state cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Whether the run has not finished: no report, or checkpoints short of the last epoch. */
  boolean unfinished() {
    return report == null;
  }
}
