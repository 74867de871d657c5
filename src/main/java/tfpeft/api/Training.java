package tfpeft.api;

import com.google.gson.JsonObject;
import com.google.protobuf.TextFormat;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.AdapterExport;
import tfpeft.model.imports.Backbones;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.Trainer;

/**
 * Runs a training from a {@link RunConfig} built in code, as {@code tfpeft train --config} runs
 * one from a file: the config is checked field by field first (an error names the field, as in
 * a file), the architecture comes from the pretrained weights where the config names them, and
 * the run directory ({@code output_dir/name}) is written as the command writes it, resumed when
 * it holds checkpoints already.
 *
 * <pre>{@code
 * RunConfig config = RunConfig.newBuilder()
 *     .setName("lora-demo").setOutputDir("checkpoints")
 *     .setModel(ModelConfig.newBuilder().setWeights(
 *         WeightsConfig.newBuilder().setPath("checkpoints/pretrained/vit-small")))
 *     .setData(DataConfig.newBuilder().setSynthetic(...))
 *     .setMethod(MethodConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(8)))
 *     .build();
 * Training.Result r = Training.run(config, System.err);
 * try (Predictor p = Predictor.ofRun(r.runDirectory(), "best")) { ... }
 * }</pre>
 */
public final class Training {
  /** What names a config built in code in messages and in the run's recorded source. */
  static final String SOURCE = "RunConfig built in code";

  private Training() {}

  /**
   * A finished run.
   *
   * @param runDirectory the run directory: config, checkpoints, metrics, report.json
   * @param testTop1 top-1 accuracy on the test split, in [0, 1]
   * @param report the run's report (report.json), for everything else it measured
   */
  public record Result(Path runDirectory, double testTop1, JsonObject report) {}

  /** Trains {@code config} with its log discarded. */
  public static Result run(RunConfig config) {
    return run(config, new PrintStream(OutputStream.nullOutputStream()));
  }

  /**
   * Trains {@code config}, writing the progress lines {@code tfpeft train} prints to
   * {@code log}.
   *
   * @throws tfpeft.TfpeftException for a bad config (naming the field), missing weights or
   *     data, or a run directory another command holds
   */
  public static Result run(RunConfig config, PrintStream log) {
    LoadedConfig loaded = ConfigLoader.parse(TextFormat.printer().printToString(config), SOURCE,
        List.of(), Backbones::architecture);
    Trainer trainer = new Trainer(loaded.written(), loaded.source(), new Trainer.Options(
        Trainer.Resume.AUTO, log, false), MethodRegistry.builtIn());
    JsonObject report = trainer.run();
    return new Result(trainer.directory().root(),
        report.getAsJsonObject("test").get("top1").getAsDouble(), report);
  }

  /**
   * Writes a run's adapter artifact, as {@code tfpeft export RUN --adapter OUT} does: its trained
   * state only, the method config and state, class names and its base's identity;
   * {@link Predictor#ofArtifact} opens it on that base.
   *
   * @param run the run directory
   * @param checkpoint {@code last}, {@code best}, an epoch-NNNN name or a checkpoint directory
   * @param out the artifact directory to write; must not exist
   * @return {@code out}
   */
  public static Path writeAdapter(Path run, String checkpoint, Path out) {
    AdapterExport.fromRun(run, checkpoint, out, false, MethodRegistry.builtIn(), m -> { });
    return out;
  }
}
