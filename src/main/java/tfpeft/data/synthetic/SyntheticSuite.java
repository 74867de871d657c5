package tfpeft.data.synthetic;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import tfpeft.TfpeftException;

/**
 * Entry point: generates the pretraining set and the downstream task suite into one directory, and
 * lists the task definitions for code that needs them without the files (zero-shot prompts).
 */
public final class SyntheticSuite {
  /** Name written to suite.json. */
  public static final String GENERATOR = "tfpeft.synthetic";
  /**
   * Version of the generated data. Bump it whenever the same options would produce different
   * images or labels, so cached suites and checkpoints can tell they are stale.
   */
  public static final int VERSION = 1;
  static final String SUITE_JSON = "suite.json";
  static final String TASKS_DIRECTORY = "tasks";

  private SyntheticSuite() {}

  /** Every task definition, in suite order. */
  public static List<SyntheticTask> tasks() {
    return TaskCatalog.all();
  }

  /** The task called {@code name}, if any. */
  public static Optional<SyntheticTask> task(String name) {
    return TaskCatalog.all().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /**
   * Generates the suite into {@code out}: written into a staging sibling and renamed into place
   * when complete, so {@code out} either holds a whole suite or is left as it was.
   *
   * @throws TfpeftException usage error (exit 2) if {@code out} exists and is non-empty without
   *     {@link SyntheticOptions#overwrite()}, or cannot be created or written; failure (exit 1) if
   *     writing fails part-way (disk full, for instance)
   */
  public static GenerationSummary generate(Path out, SyntheticOptions options, ProgressListener listener) {
    long start = System.nanoTime();
    try (AtomicOutput output = AtomicOutput.begin(out, options.overwrite());
         ParallelImages pool = new ParallelImages(options.threads())) {
      Path root = output.staging();
      if (options.pretrainCount() > 0) {
        PretrainWriter.write(root, options, pool, listener);
      }
      List<GenerationSummary.TaskCounts> counts = new ArrayList<>();
      for (SyntheticTask task : options.selectedTasks()) {
        counts.add(TaskWriter.write(root.resolve(TASKS_DIRECTORY), task, options, pool, listener));
      }
      OutputFiles.writePrettyJson(root.resolve(SUITE_JSON), suiteJson(options, counts));
      long[] filesAndBytes = filesAndBytes(root);
      output.commit();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new GenerationSummary(output.target(), options.seed(), options.imageSize(),
          options.pretrainCount(), counts, filesAndBytes[0], filesAndBytes[1], elapsed);
    } catch (UncheckedIOException e) {
      throw writeFailure(out, e.getCause());
    } catch (IOException e) {
      throw writeFailure(out, e);
    }
  }

  private static TfpeftException writeFailure(Path out, IOException cause) {
    return TfpeftException.failure(
        "cannot write the synthetic suite to " + out + ": " + AtomicOutput.describe(cause), cause);
  }

  private static JsonObject suiteJson(SyntheticOptions options, List<GenerationSummary.TaskCounts> counts) {
    JsonObject json = new JsonObject();
    json.addProperty("generator", GENERATOR);
    json.addProperty("version", VERSION);
    json.addProperty("seed", options.seed());
    json.addProperty("imageSize", options.imageSize());
    if (options.pretrainCount() > 0) {
      JsonObject pretrain = new JsonObject();
      pretrain.addProperty("path", PretrainWriter.DIRECTORY);
      pretrain.addProperty("index", PretrainWriter.DIRECTORY + "/" + PretrainWriter.INDEX);
      pretrain.addProperty("attributes", PretrainWriter.DIRECTORY + "/" + PretrainWriter.ATTRIBUTES);
      pretrain.addProperty("images", options.pretrainCount());
      json.add("pretrain", pretrain);
    }
    JsonArray tasks = new JsonArray();
    for (GenerationSummary.TaskCounts c : counts) {
      JsonObject task = new JsonObject();
      task.addProperty("name", c.name());
      task.addProperty("group", c.group().word());
      task.addProperty("path", TASKS_DIRECTORY + "/" + c.name());
      task.addProperty("numClasses", c.numClasses());
      task.addProperty("train", c.train());
      task.addProperty("val", c.val());
      task.addProperty("test", c.test());
      tasks.add(task);
    }
    json.add("tasks", tasks);
    return json;
  }

  private static long[] filesAndBytes(Path root) throws IOException {
    long[] totals = new long[2];
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        if (Files.isRegularFile(path)) {
          totals[0]++;
          totals[1] += Files.size(path);
        }
      }
    }
    return totals;
  }
}
