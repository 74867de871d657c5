package tfpeft.data.synthetic;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes one task directory in the layouts that VTAB-1k and CoOp loaders read: {@code
 * images/<split>_NNNNN.png}; the VTAB-1k lists {@code train800.txt}, {@code val200.txt}, {@code
 * train800val200.txt} and {@code test.txt} (lines {@code images/<file>.png <label>}); {@code
 * classnames.txt}; CoOp's {@code split_zhou_<Name>.json}; and {@code task.json}. The list file
 * names are the VTAB-1k ones whatever the split sizes; task.json records the actual counts.
 */
final class TaskWriter {
  static final String TRAIN = "train";
  static final String VAL = "val";
  static final String TEST = "test";
  static final String TRAIN_LIST = "train800.txt";
  static final String VAL_LIST = "val200.txt";
  static final String TRAIN_VAL_LIST = "train800val200.txt";
  static final String TEST_LIST = "test.txt";
  static final String CLASSNAMES = "classnames.txt";
  static final String TASK_JSON = "task.json";

  private TaskWriter() {}

  /** A split's images: relative paths and labels, in file order. */
  private record Split(String name, List<String> paths, int[] labels) {}

  static GenerationSummary.TaskCounts write(Path tasksRoot, SyntheticTask task, SyntheticOptions options,
      ParallelImages pool, ProgressListener listener) throws IOException {
    Path dir = tasksRoot.resolve(task.name());
    Files.createDirectories(dir.resolve("images"));
    Split train = writeSplit(dir, task, TRAIN, options.trainPerTask(), 0, options, pool, listener);
    Split val = writeSplit(dir, task, VAL, options.valPerTask(), options.trainPerTask(), options, pool,
        listener);
    Split test = writeSplit(dir, task, TEST, options.testPerTask(),
        options.trainPerTask() + options.valPerTask(), options, pool, listener);

    OutputFiles.writeLines(dir.resolve(TRAIN_LIST), listLines(train));
    OutputFiles.writeLines(dir.resolve(VAL_LIST), listLines(val));
    List<String> trainVal = new ArrayList<>(listLines(train));
    trainVal.addAll(listLines(val));
    OutputFiles.writeLines(dir.resolve(TRAIN_VAL_LIST), trainVal);
    OutputFiles.writeLines(dir.resolve(TEST_LIST), listLines(test));
    OutputFiles.writeLines(dir.resolve(CLASSNAMES), task.classNames());

    JsonObject coop = new JsonObject();
    for (Split split : List.of(train, val, test)) {
      coop.add(split.name(), coopEntries(split, task));
    }
    OutputFiles.writeCompactJson(dir.resolve(coopFileName(task)), coop);
    OutputFiles.writePrettyJson(dir.resolve(TASK_JSON), taskJson(task, options));
    return new GenerationSummary.TaskCounts(task.name(), task.group(), task.numClasses(),
        options.trainPerTask(), options.valPerTask(), options.testPerTask());
  }

  /** CoOp's split file name, e.g. {@code split_zhou_Count.json}. */
  static String coopFileName(SyntheticTask task) {
    return "split_zhou_" + task.camelName() + ".json";
  }

  /** Stream name from which image i of a split derives its random stream. */
  static String stream(SyntheticTask task, String split) {
    return "task/" + task.name() + "/" + split;
  }

  private static Split writeSplit(Path dir, SyntheticTask task, String split, int count, int offset,
      SyntheticOptions options, ParallelImages pool, ProgressListener listener) {
    String stream = stream(task, split);
    int[] labels = LabelPlan.balanced(task.numClasses(), offset, count,
        RngStreams.forItem(options.seed(), stream + "/labels", 0));
    List<String> paths = pool.run("task " + task.name() + " " + split, count, i -> {
      Scene scene = task.sample(labels[i], RngStreams.forItem(options.seed(), stream, i));
      String path = String.format(Locale.ROOT, "images/%s_%05d.png", split, i);
      OutputFiles.writePng(SceneRenderer.render(scene, options.imageSize()), dir.resolve(path));
      return path;
    }, listener);
    return new Split(split, paths, labels);
  }

  private static List<String> listLines(Split split) {
    List<String> lines = new ArrayList<>(split.paths().size());
    for (int i = 0; i < split.paths().size(); i++) {
      lines.add(split.paths().get(i) + " " + split.labels()[i]);
    }
    return lines;
  }

  private static JsonArray coopEntries(Split split, SyntheticTask task) {
    JsonArray entries = new JsonArray();
    for (int i = 0; i < split.paths().size(); i++) {
      JsonArray entry = new JsonArray();
      entry.add(split.paths().get(i));
      entry.add(split.labels()[i]);
      entry.add(task.classNames().get(split.labels()[i]));
      entries.add(entry);
    }
    return entries;
  }

  private static JsonObject taskJson(SyntheticTask task, SyntheticOptions options) {
    JsonObject json = new JsonObject();
    json.addProperty("name", task.name());
    json.addProperty("group", task.group().word());
    json.add("classnames", OutputFiles.jsonStrings(task.classNames()));
    json.add("templates", OutputFiles.jsonStrings(task.templates()));
    JsonObject counts = new JsonObject();
    counts.addProperty(TRAIN, options.trainPerTask());
    counts.addProperty(VAL, options.valPerTask());
    counts.addProperty(TEST, options.testPerTask());
    json.add("counts", counts);
    json.addProperty("imageSize", options.imageSize());
    json.addProperty("seed", options.seed());
    JsonObject files = new JsonObject();
    files.addProperty(TRAIN, TRAIN_LIST);
    files.addProperty(VAL, VAL_LIST);
    files.addProperty("trainval", TRAIN_VAL_LIST);
    files.addProperty(TEST, TEST_LIST);
    files.addProperty("classnames", CLASSNAMES);
    files.addProperty("coop", coopFileName(task));
    json.add("files", files);
    return json;
  }
}
