package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.data.SyntheticData;
import tfpeft.train.pretrain.ClipPretrainer;
import tfpeft.train.pretrain.PretrainOptions;
import tfpeft.train.pretrain.VitPretrainer;
import tfpeft.util.AtomicFiles;

/** {@code tfpeft pretrain vit|clip}: the small built-in backbones, on the synthetic suite. */
final class PretrainCommand implements Command {
  @Override
  public String name() {
    return "pretrain";
  }

  @Override
  public String summary() {
    return "pretrain the small built-in ViT and CLIP on the synthetic suite";
  }

  @Override
  public String usage() {
    return "pretrain vit|clip --out DIR [--suite DIR] [--epochs N] [--batch N] [--lr X] ...";
  }

  @Override
  public String description() {
    return "vit: supervised on the synthetic attributes (one head per attribute, dropped "
        + "afterwards). clip: contrastive on the synthetic image-caption pairs, with a BPE "
        + "vocabulary learned from the captions, then zero-shot accuracy on every task's test "
        + "split. Writes DIR/weights.safetensors, DIR/model.pbtxt (and DIR/vocab.json, "
        + "DIR/merges.txt, DIR/zero_shot.json for CLIP) into a new directory, all or nothing. The "
        + "suite is generated with its defaults if --suite has none.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
        .desc("directory to create").build());
    o.addOption(Option.builder().longOpt("suite").hasArg().argName("DIR")
        .desc("synthetic suite (default checkpoints/synthetic)").build());
    o.addOption(opt("epochs", "N", "epochs (default vit 6, clip 12)"));
    o.addOption(opt("batch", "N", "batch size (default 128)"));
    o.addOption(opt("lr", "X", "peak learning rate (default 1e-3)"));
    o.addOption(opt("width", "N", "vision width (default 96)"));
    o.addOption(opt("depth", "N", "vision blocks (default 4)"));
    o.addOption(opt("heads", "N", "attention heads (default 4)"));
    o.addOption(opt("size", "PX", "image size (default 32)"));
    o.addOption(opt("patch", "PX", "patch size (default 4)"));
    o.addOption(opt("threads", "N", "input threads (default: one per core)"));
    o.addOption(opt("seed", "N", "seed (default 1)"));
    o.addOption(opt("merges", "N", "CLIP: BPE merges to learn (default 1000)"));
    o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing DIR").build());
    return o;
  }

  private static Option opt(String name, String arg, String desc) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).build();
  }

  @Override
  public int run(CommandLine line, Console console) throws IOException {
    String kind = line.getArgList().isEmpty() ? "" : line.getArgList().get(0);
    if (!kind.equals("vit") && !kind.equals("clip")) {
      throw TfpeftException.usage("expected 'pretrain vit' or 'pretrain clip'");
    }
    String outArg = line.getOptionValue("out");
    if (outArg == null) {
      throw TfpeftException.usage("pretrain needs --out DIR");
    }
    Path out = Path.of(outArg);
    if (Files.exists(out) && !line.hasOption("overwrite")) {
      throw TfpeftException.usage(out + " exists; choose another --out or pass --overwrite");
    }
    Path suite = Path.of(line.getOptionValue("suite", "checkpoints/synthetic"));
    SyntheticData.setProgress(console::info);
    SyntheticData.ensureGenerated(suite, 0, 64);
    boolean clip = kind.equals("clip");
    int size = OptionValues.integer(line, "size", 32, 1);
    int patch = OptionValues.integer(line, "patch", 4, 1);
    int width = OptionValues.integer(line, "width", 96, 1);
    int depth = OptionValues.integer(line, "depth", 4, 1);
    int heads = OptionValues.integer(line, "heads", 4, 1);
    ModelConfig model = clip
        ? ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(size)
            .setPatchSize(patch).setVisionWidth(width).setVisionDepth(depth)
            .setVisionHeads(heads).setTextWidth(width).setTextDepth(3).setTextHeads(heads)
            .setContextLength(24).setEmbedDim(width).setGelu(Gelu.QUICK_GELU)).build()
        : ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(size)
            .setPatchSize(patch).setWidth(width).setDepth(depth).setHeads(heads)).build();
    TrainingConfig training = TrainingConfig.newBuilder()
        .setEpochs(OptionValues.integer(line, "epochs", clip ? 12 : 6, 1))
        .setBatchSize(OptionValues.integer(line, "batch", 128, 1))
        .setLearningRate(learningRate(line))
        .setWeightDecay(clip ? 0.1f : 0.05f).setWarmupEpochs(1).setWarmupStartLr(1e-5f)
        .setMinLr(1e-5f).setSchedulePerStep(true).setDropPath(0f).build();
    Path tmp = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".tmp");
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    PretrainOptions o = new PretrainOptions(suite, tmp, model, training,
        OptionValues.integer(line, "seed", 1, 0), OptionValues.integer(line, "threads", 0, 0),
        OptionValues.integer(line, "merges", 1000, 0));
    long start = System.nanoTime();
    try {
      long params = clip ? ClipPretrainer.run(o, console::info) : VitPretrainer.run(o, console::info);
      AtomicFiles.writeString(tmp.resolve("pretrain_command.txt"), "tools/tfpeft pretrain "
          + String.join(" ", line.getArgList()) + " " + String.join(" ",
              java.util.Arrays.stream(line.getOptions()).map(op -> "--" + op.getLongOpt()
                  + (op.hasArg() ? " " + op.getValue() : "")).toList()) + "\n");
      AtomicFiles.replaceDirectory(tmp, out);
      console.println(String.format("wrote %s: %,d backbone parameters, %.1f min", out, params,
          (System.nanoTime() - start) / 60e9));
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
    return 0;
  }

  private static float learningRate(CommandLine line) {
    String v = line.getOptionValue("lr", "1e-3");
    try {
      float lr = Float.parseFloat(v);
      if (lr > 0 && Float.isFinite(lr)) {
        return lr;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw TfpeftException.usage("--lr expects a positive number, got '" + v + "'");
  }

}
