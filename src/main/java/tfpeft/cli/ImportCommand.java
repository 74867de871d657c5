package tfpeft.cli;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.imports.BackboneDirectory;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.peft.mask.MaskArtifact;
import tfpeft.peft.mask.MaskedBackbone;
import tfpeft.train.MaskRuns;

/** {@code tfpeft import}: foreign weights to a tfpeft backbone directory. */
final class ImportCommand implements Command {
  private static final Map<String, WeightsFormat> FORMATS = Map.of("auto", WeightsFormat.AUTO,
      "tfpeft", WeightsFormat.TFPEFT, "safetensors", WeightsFormat.SAFETENSORS,
      "hf", WeightsFormat.SAFETENSORS, "google_npz", WeightsFormat.GOOGLE_NPZ,
      "npz", WeightsFormat.GOOGLE_NPZ, "openai_clip", WeightsFormat.OPENAI_CLIP,
      "openai", WeightsFormat.OPENAI_CLIP);

  @Override
  public String name() {
    return "import";
  }

  @Override
  public String summary() {
    return "convert foreign weights (Hugging Face, Google npz, OpenAI CLIP) to a backbone directory";
  }

  @Override
  public String usage() {
    return "import SRC --out DIR [--format F] [--image-size N] [--heads N] [--text-heads N] "
        + "[--ignore NAME]... [--masks RUN] [--overwrite]";
  }

  @Override
  public String description() {
    return "SRC is a Hugging Face model directory (config.json + model.safetensors: ViTModel, "
        + "ViTForImageClassification or CLIPModel), a Google ViT .npz, an OpenAI CLIP state dict "
        + "saved as .safetensors, or a tfpeft backbone directory. float16 and bfloat16 weights "
        + "are widened to float32. The architecture is read from config.json or the tensor "
        + "shapes; every tensor must find its variable and every variable its tensor, or the "
        + "command fails listing them (--ignore drops tensors that have no place in the model, "
        + "glob patterns allowed; ignoring a head or pre_logits tensor drops that layer). "
        + "--image-size resamples the position embeddings (bicubic). Writes DIR/weights."
        + "safetensors, DIR/model.pbtxt and, for CLIP, DIR/vocab.json + DIR/merges.txt, all or "
        + "nothing; a run config then uses it with weights { path: \"DIR\" }. --masks RUN "
        + "multiplies the binary masks of a mask-tuning run (its run directory, a checkpoint of "
        + "it, or a masks.pb) into the weights: the masked encoder that R-AMT + CoOp and R-AMT + "
        + "TIP-Adapter start from.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
        .desc("backbone directory to create").build());
    o.addOption(Option.builder().longOpt("format").hasArg().argName("F")
        .desc("auto (default), hf (safetensors + config.json), npz (Google), openai, tfpeft")
        .build());
    o.addOption(Option.builder().longOpt("image-size").hasArg().argName("N")
        .desc("image size to use the weights at; position embeddings are resampled").build());
    o.addOption(Option.builder().longOpt("heads").hasArg().argName("N")
        .desc("attention heads (CLIP: vision heads) where the file does not say them (OpenAI "
            + "CLIP assumes width/64)").build());
    o.addOption(Option.builder().longOpt("text-heads").hasArg().argName("N")
        .desc("CLIP text attention heads where the file does not say them").build());
    o.addOption(Option.builder().longOpt("ignore").hasArg().argName("NAME")
        .desc("a file tensor (or glob pattern) with no place in the model; repeatable").build());
    o.addOption(Option.builder().longOpt("masks").hasArg().argName("RUN")
        .desc("multiply the binary masks of a mask-tuning run into the weights").build());
    o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing DIR").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    List<String> args = line.getArgList();
    if (args.size() != 1) {
      throw TfpeftException.usage("import needs exactly one SRC (a weight file or model "
          + "directory), got " + (args.isEmpty() ? "none" : String.join(" ", args)));
    }
    String outArg = line.getOptionValue("out");
    if (outArg == null) {
      throw TfpeftException.usage("import needs --out DIR");
    }
    Path out = Path.of(outArg);
    if (java.nio.file.Files.exists(out) && !line.hasOption("overwrite")) {
      throw TfpeftException.usage(out + " exists; choose another --out or pass --overwrite");
    }
    String formatName = line.getOptionValue("format", "auto").toLowerCase(Locale.ROOT);
    WeightsFormat format = FORMATS.get(formatName);
    if (format == null) {
      throw TfpeftException.usage("--format: unknown format '" + formatName + "'; use auto, "
          + "hf, npz, openai or tfpeft");
    }
    WeightsConfig.Builder w = WeightsConfig.newBuilder().setPath(args.get(0)).setFormat(format);
    if (line.hasOption("ignore")) {
      w.addAllIgnore(List.of(line.getOptionValues("ignore")));
    }
    WeightsConfig weights = w.build();
    ModelConfig requested = requested(line, weights);
    console.info("reading " + args.get(0));
    LoadedBackbone b = Backbones.load(weights, requested);
    if (line.hasOption("masks")) {
      MaskArtifact masks = MaskRuns.read(Path.of(line.getOptionValue("masks")));
      b = MaskedBackbone.apply(b, masks);
      console.info("masks of " + line.getOptionValue("masks") + ": "
          + masks.sparsity().total().format());
    }
    console.info("writing " + out);
    BackboneDirectory.write(out, b, line.hasOption("overwrite"));
    console.println("wrote " + out);
    console.println("architecture: " + TextFormat.printer().shortDebugString(b.model()));
    for (String l : b.report().lines()) {
      console.println(l);
    }
    if (b.vocab() != null) {
      console.println("tokenizer: " + b.vocab() + " -> " + out.resolve("vocab.json"));
    }
    return 0;
  }

  /** The architecture the flags ask for, or null. */
  private static ModelConfig requested(CommandLine line, WeightsConfig weights) {
    Integer size = positive(line, "image-size");
    Integer heads = positive(line, "heads");
    Integer textHeads = positive(line, "text-heads");
    if (size == null && heads == null && textHeads == null) {
      return null;
    }
    if (Backbones.kind(weights).equals("vit")) {
      if (textHeads != null) {
        throw TfpeftException.usage("--text-heads: " + weights.getPath() + " holds a ViT, which "
            + "has no text tower");
      }
      VitConfig.Builder v = VitConfig.newBuilder();
      if (size != null) {
        v.setImageSize(size);
      }
      if (heads != null) {
        v.setHeads(heads);
      }
      return ModelConfig.newBuilder().setVit(v).build();
    }
    ClipConfig.Builder c = ClipConfig.newBuilder();
    if (size != null) {
      c.setImageSize(size);
    }
    if (heads != null) {
      c.setVisionHeads(heads);
    }
    if (textHeads != null) {
      c.setTextHeads(textHeads);
    }
    return ModelConfig.newBuilder().setClip(c).build();
  }

  private static Integer positive(CommandLine line, String name) {
    return line.hasOption(name) ? OptionValues.integer(line, name, 0, 1) : null;
  }
}
