package tfpeft.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import tfpeft.TfpeftException;
import tfpeft.config.proto.CoopSource;
import tfpeft.config.proto.SyntheticLayout;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.VtabSource;
import tfpeft.data.synthetic.GenerationSummary;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.data.synthetic.SyntheticTask;

/**
 * A task of the built-in synthetic suite as a data source. The suite is generated on first use
 * into {@code data.synthetic.dir}; afterwards it is read with the same VTAB-1k or CoOp loaders as
 * the real benchmarks, so the embedded default exercises the real input path.
 */
public final class SyntheticData {
  private SyntheticData() {}

  /** Where progress of an on-demand generation goes (stderr by default). */
  private static volatile Consumer<String> progress = System.err::println;

  public static void setProgress(Consumer<String> sink) {
    progress = sink;
  }

  public static Dataset read(SyntheticSource s, BadExamples bad) {
    SyntheticTask task = SyntheticSuite.task(s.getTask()).orElseThrow(() ->
        TfpeftException.usage("data.synthetic.task: no synthetic task '" + s.getTask()
            + "'; tasks: " + SyntheticSuite.tasks().stream().map(SyntheticTask::name)
                .collect(Collectors.joining(", "))));
    Path dir = Path.of(s.getDir());
    ensureGenerated(dir, s.getGeneratorSeed(), s.getImageSize());
    Path taskDir = dir.resolve("tasks").resolve(task.name());
    Dataset d;
    if (s.getLayout() == SyntheticLayout.COOP) {
      d = DataSources.read(tfpeft.config.proto.DataConfig.newBuilder().setCoop(
          CoopSource.newBuilder().setDatasetDir(taskDir.toString())
              .setSplitFile("split_zhou_" + task.camelName() + ".json")).build(), 0, bad);
    } else {
      d = DataSources.read(tfpeft.config.proto.DataConfig.newBuilder().setVtab(
          VtabSource.newBuilder().setRoot(dir.resolve("tasks").toString())
              .setTask(task.name())).build(), 0, bad);
    }
    return d.withTemplates(task.templates());
  }

  /** Whether a suite (of any seed and size) was generated into {@code dir}. */
  public static boolean isGenerated(Path dir) {
    return Files.isRegularFile(dir.resolve("suite.json"));
  }

  /** Generates the suite into {@code dir} unless a suite with the same seed and size is there. */
  public static void ensureGenerated(Path dir, long seed, int imageSize) {
    Path suite = dir.resolve("suite.json");
    if (Files.isRegularFile(suite)) {
      checkMatches(suite, seed, imageSize);
      return;
    }
    SyntheticOptions options = SyntheticOptions.builder().seed(seed).imageSize(imageSize)
        .build();
    progress.accept("generating the synthetic suite into " + dir + " (" + options + ")");
    long start = System.nanoTime();
    GenerationSummary summary = SyntheticSuite.generate(dir, options, (stage, done, total) -> {
      if (done == total) {
        progress.accept("  " + stage + ": " + total + " images");
      }
    });
    progress.accept(String.format("generated %d images in %.1f s", summary.images(),
        (System.nanoTime() - start) / 1e9));
  }

  private static void checkMatches(Path suite, long seed, int imageSize) {
    JsonObject json;
    try {
      json = JsonParser.parseString(Files.readString(suite, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw TfpeftException.usage(suite + ": cannot read the suite description ("
          + e.getMessage() + "); delete the directory to regenerate it");
    }
    long haveSeed = json.has("seed") ? json.get("seed").getAsLong() : -1;
    int haveSize = json.has("imageSize") ? json.get("imageSize").getAsInt()
        : json.has("image_size") ? json.get("image_size").getAsInt() : -1;
    if (haveSeed != seed || haveSize != imageSize) {
      throw TfpeftException.usage(suite + ": this suite was generated with seed " + haveSeed
          + " and image size " + haveSize + ", the config asks for data.synthetic.generator_seed "
          + seed + " and image_size " + imageSize + "; point data.synthetic.dir elsewhere or "
          + "delete " + suite.getParent() + " to regenerate");
    }
  }
}
