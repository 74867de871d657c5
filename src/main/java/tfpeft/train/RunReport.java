package tfpeft.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.util.AtomicFiles;

/**
 * {@code report.json}, the final word of a run: test accuracy of the final weights (top-1,
 * top-k, per class, confusion), base and new accuracy with their harmonic mean under the
 * base-to-new protocol, the best checkpoint (and, without a validation split, the best periodic
 * test accuracy, labelled), parameter counts and training throughput.
 */
final class RunReport {
  private final JsonObject json = new JsonObject();

  RunReport(RunConfig c, RunDirectory dir, String method, ParameterCounts counts) {
    json.addProperty("run", dir.root().getFileName().toString());
    json.addProperty("run_dir", dir.root().toString());
    json.addProperty("method", method);
    json.addProperty("backbone", c.getModel().hasClip() ? "clip" : "vit");
    json.addProperty("seed", c.getSeed());
    // a method that trains nothing (zero-shot, TIP-Adapter) runs no epochs, whatever the config
    json.addProperty("epochs", counts.trainable() == 0 ? 0 : c.getTraining().getEpochs());
    json.add("parameters", counts.json());
  }

  void test(EvalMetrics m, List<String> classNames) {
    json.add("test", m.toJson(classNames));
  }

  void baseToNew(EvalMetrics base, EvalMetrics novel, List<String> newClasses) {
    JsonObject o = new JsonObject();
    o.addProperty("base", base.top1());
    o.addProperty("new", novel.top1());
    o.addProperty("harmonic_mean", EvalMetrics.harmonicMean(base.top1(), novel.top1()));
    o.add("new_test", novel.toJson(newClasses));
    json.add("base_to_new", o);
  }

  void best(CheckpointStore.Checkpoint best) {
    if (best == null) {
      return;
    }
    JsonObject o = new JsonObject();
    o.addProperty("epoch", best.epoch());
    o.addProperty("checkpoint", best.dir().toString());
    o.add("eval", best.state().get("eval"));
    json.add("best", o);
  }

  /**
   * The best test top-1 over the periodic evaluations, when they ran on the test split (no
   * validation split): the figure PETL-ViT reports (its best_acc over the evaluations every 10
   * epochs), chosen on the test split itself; {@code test} stays the last checkpoint's.
   */
  void bestPeriodicTest(JsonObject best) {
    if (best == null) {
      return;
    }
    JsonObject o = best.deepCopy();
    o.addProperty("note", "the best test top-1 over the periodic evaluations, as PETL-ViT "
        + "reports it; chosen on the test split itself, so optimistic; test.top1 is the last "
        + "checkpoint's");
    json.add("best_periodic_test", o);
  }

  void parameters(JsonObject counts) {
    json.add("parameters", counts);
  }

  void throughput(long images, double seconds) {
    JsonObject o = new JsonObject();
    o.addProperty("images", images);
    o.addProperty("seconds", seconds);
    o.addProperty("images_per_sec", seconds > 0 ? images / seconds : 0);
    json.add("training", o);
  }

  /** What the method reports about itself, when anything. */
  void method(JsonObject facts) {
    if (facts != null && facts.size() > 0) {
      json.add("method_report", facts);
    }
  }

  JsonObject json() {
    return json;
  }

  static void write(Path file, JsonObject report) {
    AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting()
        .serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(report)
        + "\n");
  }

  static JsonObject read(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw TfpeftException.usage(file + ": cannot read the run report (" + e.getMessage()
          + ")", e);
    }
  }

  /** Whether the run finished: its report exists and its last checkpoint is the last epoch. */
  static boolean isComplete(RunDirectory dir, CheckpointStore.Checkpoint latest, RunConfig c) {
    return Files.isRegularFile(dir.report()) && (latest.epoch() >= c.getTraining().getEpochs()
        || latest.state().has("complete") && latest.state().get("complete").getAsBoolean());
  }
}
