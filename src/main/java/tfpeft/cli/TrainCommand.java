package tfpeft.cli;

import com.google.gson.JsonObject;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedConfig;
import tfpeft.data.SyntheticData;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.ArtifactStart;
import tfpeft.export.PeftAdapterConfig;
import tfpeft.export.PeftStart;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ParameterCounts;
import tfpeft.train.Trainer;

/** {@code tfpeft train}: trains a run config, resuming where it stopped. */
final class TrainCommand implements Command {
  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a PEFT method (or baseline) on a backbone";
  }

  @Override
  public String usage() {
    return "train --config FILE [--set PATH=VALUE]... [--resume | --overwrite] [--dry-run]"
        + " [--init-adapter DIR]";
  }

  @Override
  public String description() {
    return "Builds the configured backbone with the method's variables, loads the pretrained"
        + " weights, trains with the configured optimizer and schedule, evaluates every"
        + " eval.every_epochs epochs (on the validation split when the data has one, else on"
        + " test), and writes the run directory <output_dir>/<name>/: config.pbtxt,"
        + " checkpoints/epoch-NNNN/ (the last training.keep_checkpoints and the best),"
        + " metrics.jsonl, a TensorBoard event file and report.json with the final test"
        + " accuracy.\n"
        + "A run directory that already holds checkpoints of the same config is resumed from"
        + " its last complete checkpoint, whatever stopped it: the result is the same, bit for"
        + " bit, as an uninterrupted run. A finished run is left as it is.\n"
        + "A NaN or infinite loss stops the run (exit 1) naming the epoch and step; the"
        + " checkpoints written before it stay.\n"
        + "--init-adapter DIR starts a fresh run from an adapter artifact (tfpeft export RUN"
        + " --adapter DIR): the config's method must be the artifact's (exit 2 naming the first"
        + " differing field) and model.weights the base it was trained on (exit 2 naming both"
        + " bases and their SHA-256); its adapters, head, prompts or masks replace the"
        + " initializers, and Pear continues with the artifact's plan. DIR may also be a"
        + " Hugging Face PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors, as"
        + " export RUN --peft DIR or PEFT's save_pretrained writes it) for transformers'"
        + " ViTForImageClassification or CLIPModel: the config's method.lora rank, scale"
        + " (lora_alpha / r) and targets must be the adapter's and model.weights Hugging Face"
        + " weights its tensors fit (exit 2 naming the key or field otherwise); DoRA, rsLoRA,"
        + " fan_in_fan_out, per-module ranks and trained biases are refused.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder().longOpt("resume")
        .desc("continue from the run directory's last checkpoint; fail if it has none").build());
    o.addOption(Option.builder().longOpt("overwrite")
        .desc("delete the run directory's checkpoints, logs and report and start again").build());
    o.addOption(Option.builder().longOpt("dry-run")
        .desc("build the graph and print the trainable and frozen parameter counts, without"
            + " training").build());
    o.addOption(Option.builder().longOpt("init-adapter").hasArg().argName("DIR")
        .desc("start from the trained values of an adapter artifact").build());
    return o;
  }

  /**
   * Runs the trainer; a SIGTERM or Ctrl-C meanwhile prints one line saying how to go on (the
   * checkpoints already written are complete, see CheckpointStore), instead of a silent exit.
   */
  private static JsonObject runSayingHowToResume(Trainer trainer, Console console) {
    Thread hook = new Thread(() -> {
      var last = trainer.directory().checkpoints().latest();
      console.err().println("tfpeft train: interrupted; " + last.map(c -> "the last complete"
          + " checkpoint is " + c.dir() + ": run the same command again to resume from it")
          .orElse("no checkpoint was written yet: run the same command again to start over"));
      console.err().flush();
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return trainer.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down already: the hook says its line
      }
    }
  }

  @Override
  public int run(CommandLine line, Console console) {
    LoadedConfig loaded = ConfigArgs.loadForRun(line);
    if (line.hasOption("resume") && line.hasOption("overwrite")) {
      throw TfpeftException.usage("--resume and --overwrite exclude each other");
    }
    Trainer.Resume resume = line.hasOption("resume") ? Trainer.Resume.REQUIRE
        : line.hasOption("overwrite") ? Trainer.Resume.OVERWRITE : Trainer.Resume.AUTO;
    SyntheticData.setProgress(console::info);
    Trainer.Start initial = null;
    if (line.hasOption("init-adapter")) {
      // checked before weights or data load: a wrong artifact fails at once
      java.nio.file.Path art = java.nio.file.Path.of(line.getOptionValue("init-adapter"));
      if (PeftAdapterConfig.isPeftAdapter(art)) {
        initial = PeftStart.of(art, loaded.written());
      } else {
        AdapterArtifact artifact = AdapterArtifact.read(art);
        artifact.checkMethod(loaded.resolved().getMethod(), art);
        initial = new ArtifactStart(artifact, art);
      }
    }
    if (line.hasOption("dry-run")) {
      // the storage accounting needs only the config: printed before weights or data load
      RunConfig run = loaded.resolved();
      MethodRegistry.builtIn().create(run.getMethod()).accounting(run.getModel(), null)
          .ifPresentOrElse(a -> console.println(a.summary()), () -> console.println(
              "stored: method." + MethodRegistry.nameOf(run.getMethod().getMethodCase())
              + " stores no adapters (inspect a run or artifact for its stored size)"));
    }
    Trainer trainer = new Trainer(loaded.written(), loaded.source(),
        new Trainer.Options(resume, console.err(), console.interactive()),
        MethodRegistry.builtIn());
    if (initial != null) {
      trainer.startingFrom(initial);
    }
    if (line.hasOption("dry-run")) {
      ParameterCounts counts = trainer.dryRun();
      console.println(counts.summary());
      console.println("dry run: the graph builds; nothing was trained or written ("
          + trainer.directory().root() + ")");
      return 0;
    }
    long start = System.nanoTime();
    JsonObject report = runSayingHowToResume(trainer, console);
    JsonObject test = report.getAsJsonObject("test");
    int k = test.get("k").getAsInt();
    StringBuilder s = new StringBuilder(String.format("%s: test top-1 %.2f%%, top-%d %.2f%%",
        trainer.directory().root(), 100 * test.get("top1").getAsDouble(), k,
        100 * test.get("top" + k).getAsDouble()));
    if (report.has("base_to_new")) {
      JsonObject b = report.getAsJsonObject("base_to_new");
      s.append(String.format("; base %.2f%%, new %.2f%%, H %.2f%%",
          100 * b.get("base").getAsDouble(), 100 * b.get("new").getAsDouble(),
          100 * b.get("harmonic_mean").getAsDouble()));
    }
    if (report.has("training") && report.getAsJsonObject("training").get("images")
        .getAsLong() > 0) {
      s.append(String.format("; %.0f training images/s",
          report.getAsJsonObject("training").get("images_per_sec").getAsDouble()));
    }
    s.append(String.format(" (%.1f min)", (System.nanoTime() - start) / 60e9));
    console.println(s.toString());
    return 0;
  }
}
