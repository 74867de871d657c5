package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.model.ClipClassifier;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.imports.Preprocessing;
import tfpeft.model.text.ClipTokenizer;

/**
 * The model a command runs, from {@code --weights PATH} or {@code --config FILE}, and what goes
 * with it: preprocessing, class names, CLIP templates and tokenizer.
 *
 * @param weights the path the weights came from
 * @param config the run config, or null with --weights
 */
record ModelSource(LoadedBackbone backbone, Path weights, RunConfig config) {
  /** Where the model comes from, and what a config adds to it. */

  static ModelSource of(CommandLine line) {
    boolean hasConfig = line.hasOption("config");
    String weights = line.getOptionValue("weights");
    if (hasConfig == (weights != null)) {
      throw TfpeftException.usage("give the model as --weights PATH or --config FILE (one)");
    }
    if (weights != null) {
      WeightsConfig w = WeightsConfig.newBuilder().setPath(weights)
          .setFormat(format(line.getOptionValue("format", "auto"))).build();
      return new ModelSource(Backbones.load(w, null), Path.of(weights), null);
    }
    LoadedConfig loaded = ConfigArgs.load(line);
    RunConfig c = loaded.resolved();
    if (c.getModel().getWeights().getPath().isEmpty()) {
      throw TfpeftException.usage("the config's model.weights.path is empty: predictions of"
          + " random weights mean nothing; set it or use --weights");
    }
    // The model as written: only the fields the user set are requests to the weights.
    return new ModelSource(Backbones.load(c.getModel().getWeights(), loaded.written().getModel()),
        Path.of(c.getModel().getWeights().getPath()), c);
  }

  static WeightsFormat format(String name) {
    try {
      return WeightsFormat.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw TfpeftException.usage("--format " + name + " is not one of auto, tfpeft, "
          + "safetensors, google_npz, openai_clip");
    }
  }

  TransformConfig transform(CommandLine line) {
    TransformConfig.Builder t = config != null
        ? config.getData().getEvalTransform().toBuilder()
        : Preprocessing.of(backbone.report(), backbone.model().hasClip()).toBuilder();
    String n = line.getOptionValue("normalization");
    if (n != null) {
      t.setNormalization(normalization(n));
    }
    return t.setSize(0).build();
  }

  /** The value of --normalization. */
  static Normalization normalization(String n) {
    Normalization v;
    try {
      v = Normalization.valueOf(n.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw TfpeftException.usage("--normalization " + n + " is not unit, imagenet or clip");
    }
    if (v == Normalization.CUSTOM) {
      throw TfpeftException.usage("--normalization custom needs a config's mean and std");
    }
    return v;
  }

  List<String> classNames(CommandLine line) throws IOException {
    String arg = line.getOptionValue("classes");
    if (arg != null) {
      Path p = Path.of(arg);
      List<String> names = new ArrayList<>();
      if (Files.isRegularFile(p)) {
        for (String l : Files.readAllLines(p)) {
          if (!l.isBlank()) {
            names.add(l.strip());
          }
        }
      } else {
        for (String s : arg.split(",")) {
          if (!s.isBlank()) {
            names.add(s.strip());
          }
        }
      }
      if (names.isEmpty()) {
        throw TfpeftException.usage("--classes " + arg + " names no classes");
      }
      return names;
    }
    if (config != null) {
      return new ArrayList<>(dataset(config).classNames());
    }
    // the head's own names, where the weights bring them (Hugging Face's id2label)
    return new ArrayList<>(backbone.report().classNames());
  }

  private static Dataset dataset(RunConfig c) {
    return DataSources.read(c.getData(), c.getSeed(), BadExamples.strict());
  }

  List<String> templates(CommandLine line) {
    if (line.hasOption("template")) {
      return List.of(line.getOptionValues("template"));
    }
    if (config != null) {
      if (config.getModel().getClip().getTemplatesCount() > 0) {
        return config.getModel().getClip().getTemplatesList();
      }
      return dataset(config).templates();
    }
    return List.of(ClipClassifier.DEFAULT_TEMPLATE);
  }

  ClipTokenizer tokenizer() {
    String configured = config == null ? "" : config.getModel().getClip().getTokenizer();
    Path vocab = configured.isEmpty() ? backbone.vocab() : Path.of(configured);
    if (vocab == null) {
      throw TfpeftException.usage("no tokenizer vocabulary comes with " + weights
          + "; set model.clip.tokenizer to a vocab.json or merges file");
    }
    return ClipTokenizer.load(vocab);
  }

  int headClasses() {
    long[] shape = backbone.shapes().get("head/head/bias");
    return shape == null ? 0 : (int) shape[0];
  }
}
