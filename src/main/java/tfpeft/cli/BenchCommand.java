package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import java.util.Locale;
import tfpeft.TfpeftException;
import tfpeft.data.SyntheticData;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.TrainingBench;
import tfpeft.config.proto.Geometry;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.Example;
import tfpeft.data.FileImages;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;

/**
 * {@code tfpeft bench pipeline}: decode + augmentation throughput of the input pipeline in images
 * per second, measured over whole epochs after a warm-up epoch.
 */
final class BenchCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "measure throughput: a run's training step and evaluation (bench --config),"
        + " the input pipeline (bench pipeline), a model's forward pass (bench model)";
  }

  @Override
  public String usage() {
    return "bench --config FILE [--set PATH=VALUE]... [--steps N]"
        + " | bench pipeline [--images N] [--source-size S] [--size S] [--threads T] [--batch B]"
        + " | bench model [--config FILE | --preset vit-b16|clip-b16] [--batch B] [--steps N]";
  }

  @Override
  public String description() {
    return "--config: the run's training step (its method, batch size and optimizer) and its"
        + " evaluation, on random images: images/s, model FLOPs per image (a training step"
        + " counts as 3 forward passes when the backbone trains, 2 when only what lies in it"
        + " does, such as adapters, 1 for a head alone) and the GFLOP/s achieved (compare"
        + " with the forward pass of 'bench model'), and the peak memory of the process"
        + " (resident set and JVM heap); then the run's training.precision, the devices, and"
        + " the machine's matmul ceiling measured in the same process (a 2048 x 2048 product"
        + " in float32 and bfloat16, --ceiling-size) with the step's share of it.\n"
        + "pipeline: writes N JPEGs of S x S (or reads --dir), then runs the input pipeline over"
        + " them: decode only, the evaluation transform (bicubic resize, [0,1]), and the training"
        + " transform (random resized crop, flip, mean/std), and prints images/s for each.\n"
        + "model: forward images/s of the configured backbone's image path (or a preset), its"
        + " FLOPs per image and the achieved GFLOP/s.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("images").hasArg().argName("N")
        .desc("JPEGs to generate (default 512)").build());
    o.addOption(Option.builder().longOpt("source-size").hasArg().argName("S")
        .desc("size of the generated JPEGs (default 224)").build());
    o.addOption(Option.builder().longOpt("size").hasArg().argName("S")
        .desc("output size of the transforms (default 224)").build());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("pipeline threads (default 2)").build());
    o.addOption(Option.builder().longOpt("batch").hasArg().argName("B")
        .desc("batch size (default 32)").build());
    o.addOption(Option.builder().longOpt("epochs").hasArg().argName("E")
        .desc("timed epochs per measurement (default 3)").build());
    ConfigArgs.add(o);
    o.addOption(Option.builder().longOpt("weights").hasArg().argName("PATH")
        .desc("model: the architecture of a backbone directory or weight file").build());
    o.addOption(Option.builder().longOpt("preset").hasArg().argName("NAME")
        .desc("model: vit-b16 or clip-b16 (default vit-b16) when no --config").build());
    o.addOption(Option.builder().longOpt("steps").hasArg().argName("N")
        .desc("timed steps (default 5)").build());
    o.addOption(Option.builder().longOpt("ceiling-size").hasArg().argName("N")
        .desc("--config: the square matmul timed for the machine's ceiling (default 2048)")
        .build());
    o.addOption(Option.builder().longOpt("profile").optionalArg(true).hasArg().argName("N")
        .desc("--config: trace one more training step and print the N op types (default 15)"
            + " that took the most time, with their counts, and the N slowest nodes (at most "
            + tfpeft.train.StepProfile.SLOWEST + ")").build());
    o.addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
        .desc("benchmark the image files in DIR instead of generated JPEGs").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) throws IOException {
    List<String> args = line.getArgList();
    if (!args.isEmpty() && args.get(0).equals("model")) {
      return model(line, console);
    }
    if (args.isEmpty() && line.hasOption("config")) {
      return training(line, console);
    }
    if (args.isEmpty() || !args.get(0).equals("pipeline")) {
      throw TfpeftException.usage("expected 'bench --config FILE', 'bench pipeline' or"
          + " 'bench model'" + (args.isEmpty() ? "" : ", got '" + args.get(0) + "'"));
    }
    int n = OptionValues.integer(line, "images", 512, 1);
    int sourceSize = OptionValues.integer(line, "source-size", 224, 1);
    int size = OptionValues.integer(line, "size", 224, 1);
    int threads = OptionValues.integer(line, "threads", 2, 1);
    int batch = OptionValues.integer(line, "batch", 32, 1);
    int epochs = OptionValues.integer(line, "epochs", 3, 1);
    Path dir;
    boolean temporary = !line.hasOption("dir");
    dir = temporary ? Files.createTempDirectory("tfpeft-bench") : Path.of(line.getOptionValue("dir"));
    try {
      if (temporary) {
        writeJpegs(dir, n, sourceSize);
      }
      Split split = filesIn(dir);
      console.println(String.format("%d images (%s), %d threads, batch %d, %s",
          split.size(), temporary ? sourceSize + "x" + sourceSize + " JPEG" : dir.toString(),
          threads, batch, System.getProperty("os.arch") + ", "
          + Runtime.getRuntime().availableProcessors() + " cores"));
      Preprocess decodeOnly = decodeOnly();
      TransformConfig eval = TransformConfig.newBuilder().setGeometry(Geometry.RESIZE).build();
      TransformConfig train = TransformConfig.newBuilder()
          .setGeometry(Geometry.RANDOM_RESIZED_CROP).setHorizontalFlip(true)
          .setNormalization(tfpeft.config.proto.Normalization.IMAGENET).build();
      report(console, "decode only", split, decodeOnly, threads, batch, epochs);
      report(console, "decode + resize " + size + " bicubic", split,
          Transforms.build(eval, size), threads, batch, epochs);
      report(console, "decode + random resized crop " + size + " + flip", split,
          Transforms.build(train, size), threads, batch, epochs);
    } finally {
      if (temporary) {
        tfpeft.util.AtomicFiles.deleteTree(dir);
      }
    }
    return 0;
  }

  private int training(CommandLine line, Console console) {
    tfpeft.config.LoadedConfig c = ConfigArgs.load(line);
    SyntheticData.setProgress(console::info);
    int top = line.hasOption("profile") ? (line.getOptionValue("profile") == null ? 15
        : OptionValues.integer(line, "profile", 15, 1)) : 0;
    TrainingBench.Result r = TrainingBench.run(c.written(),
        OptionValues.integer(line, "steps", 5, 1), MethodRegistry.builtIn(), top > 0);
    console.println(String.format(Locale.ROOT, "%s: method %s, %,d parameters (%,d trainable),"
        + " %s, %d cores", c.source(), r.method(), r.parameters(), r.trainable(),
        System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors()));
    if (r.trainImagesPerSec() > 0) {
      console.println(String.format(Locale.ROOT, "  training step  batch %3d  %8.1f images/s"
          + "  %8.4f GFLOPs/image (%dx forward)  %6.1f GFLOP/s", r.batch(),
          r.trainImagesPerSec(), r.trainFlops() / 1e9, r.passes(),
          r.trainImagesPerSec() * r.trainFlops() / 1e9));
    } else {
      console.println("  training step  none: the method trains nothing");
    }
    console.println(String.format(Locale.ROOT, "  evaluation     batch %3d  %8.1f images/s"
        + "  %8.4f GFLOPs/image               %6.1f GFLOP/s", r.evalBatch(),
        r.evalImagesPerSec(), r.evalFlops() / 1e9, r.evalImagesPerSec() * r.evalFlops() / 1e9));
    console.println(String.format(Locale.ROOT, "  peak memory    %s resident, %.0f MB JVM heap",
        r.peakResidentBytes() < 0 ? "?" : String.format(Locale.ROOT, "%.0f MB",
            r.peakResidentBytes() / 1048576.0), r.peakHeapBytes() / 1048576.0));
    ceiling(c.resolved(), r, OptionValues.integer(line, "ceiling-size", 2048, 64), console);
    if (r.profile() != null) {
      profile(r.profile(), top, console);
    }
    return 0;
  }

  /** The traced step's op types, most time first. */
  private static void profile(tfpeft.train.StepProfile p, int top, Console console) {
    console.println(String.format(Locale.ROOT, "  profile        one traced training step: %,d ops,"
        + " %.1f ms of op time", p.nodes(), p.opMicros() / 1e3));
    int shown = 0;
    for (tfpeft.train.StepProfile.OpTime o : p.ops()) {
      if (shown++ == top) {
        break;
      }
      console.println(String.format(Locale.ROOT, "    %-28s %5d ops  %9.2f ms  %5.1f%%", o.type(),
          o.count(), o.micros() / 1e3, p.opMicros() == 0 ? 0 : 100.0 * o.micros() / p.opMicros()));
    }
    if (p.ops().size() > top) {
      console.println(String.format(Locale.ROOT, "    (%d more op types)", p.ops().size() - top));
    }
    console.println("  slowest nodes  (TensorFlow's timeline labels: name = Type(inputs))");
    for (tfpeft.train.StepProfile.NodeTime n : p.slowest().subList(0,
        Math.min(top, p.slowest().size()))) {
      String label = n.label().length() > 110 ? n.label().substring(0, 107) + "..." : n.label();
      console.println(String.format(Locale.ROOT, "    %9.2f ms  %s", n.micros() / 1e3, label));
    }
  }

  /**
   * The run's precision, the devices, and the machine's matrix-product ceiling measured now, with
   * the training step's share of the ceiling of its precision.
   */
  private static void ceiling(tfpeft.config.proto.RunConfig c, TrainingBench.Result r, int n,
      Console console) {
    tfpeft.config.proto.Precision p = c.getTraining().getPrecision();
    java.util.Set<String> flags = tfpeft.train.CpuPrecision.flags();
    tfpeft.train.MatMulCeiling.Result m = tfpeft.train.MatMulCeiling.measure(n, 5,
        tfpeft.train.SessionOptions.proto(c.getRuntime()));
    console.println(String.format(Locale.ROOT, "  precision      %s; CPU bf16 instructions: %s",
        p, tfpeft.train.CpuPrecision.present(flags, tfpeft.train.CpuPrecision.BF16_FLAGS)));
    console.println("  devices        " + String.join(", ", m.devices()));
    console.println(String.format(Locale.ROOT, "  matmul ceiling %d x %d: fp32 %.1f GFLOP/s,"
        + " bf16 %.1f GFLOP/s (bf16/fp32 %.2fx)", n, n, m.fp32(), m.bf16(), m.bf16() / m.fp32()));
    if (r.trainImagesPerSec() > 0) {
      double ceiling = p == tfpeft.config.proto.Precision.BF16 ? m.bf16() : m.fp32();
      double achieved = r.trainImagesPerSec() * r.trainFlops() / 1e9;
      console.println(String.format(Locale.ROOT, "  training step  %.0f%% of the %s ceiling",
          100 * achieved / ceiling, p == tfpeft.config.proto.Precision.BF16 ? "bf16" : "fp32"));
    }
  }

  private int model(CommandLine line, Console console) {
    tfpeft.config.proto.ModelConfig model;
    String label;
    if (line.hasOption("config")) {
      tfpeft.config.LoadedConfig c = ConfigArgs.load(line);
      model = c.resolved().getModel();
      label = c.source();
    } else if (line.hasOption("weights")) {
      label = line.getOptionValue("weights");
      model = tfpeft.model.imports.Backbones.load(tfpeft.config.proto.WeightsConfig.newBuilder()
          .setPath(label).build(), null).model();
    } else {
      String preset = line.getOptionValue("preset", "vit-b16");
      model = switch (preset) {
        case "vit-b16" -> tfpeft.config.proto.ModelConfig.newBuilder()
            .setVit(tfpeft.config.proto.VitConfig.getDefaultInstance()).build();
        case "clip-b16" -> tfpeft.config.proto.ModelConfig.newBuilder()
            .setClip(tfpeft.config.proto.ClipConfig.getDefaultInstance()).build();
        default -> throw TfpeftException.usage("--preset must be vit-b16 or clip-b16");
      };
      label = preset;
    }
    int batch = OptionValues.integer(line, "batch", 8, 1);
    int steps = OptionValues.integer(line, "steps", 5, 1);
    ForwardBench.Result r = ForwardBench.run(model, batch, steps);
    console.println(String.format("%s: %,d parameters (with a 1000-class head), %.3g GFLOPs"
        + " per image, batch %d:"
        + " %.1f images/s forward, %.1f GFLOP/s; graph of %,d ops built in %.2f s", label,
        r.parameters(), r.gflopsPerImage(), batch, r.imagesPerSecond(), r.achievedGflops(),
        r.ops(), r.buildSeconds()));
    return 0;
  }

  private static void report(Console console, String label, Split split, Preprocess p,
      int threads, int batch, int epochs) {
    var opts = new InputPipeline.Options(batch, false, true, threads, 4, 1);
    try (InputPipeline pipeline = new InputPipeline(split, p, opts, BadExamples.strict())) {
      drain(pipeline.epoch(0));
      long start = System.nanoTime();
      long images = 0;
      for (int e = 1; e <= epochs; e++) {
        images += drain(pipeline.epoch(e));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      console.println(String.format("  %-45s %8.0f images/s", label, images / seconds));
    }
  }

  private static long drain(Iterator<Batch> it) {
    long n = 0;
    while (it.hasNext()) {
      n += it.next().size();
    }
    return n;
  }

  /** Decodes and writes the top-left pixel only: the cost of decoding alone. */
  private static Preprocess decodeOnly() {
    return new Preprocess() {
      @Override
      public int height() {
        return 1;
      }

      @Override
      public int width() {
        return 1;
      }

      @Override
      public void apply(RgbImage image, SplittableRandom rng, float[] dst, int offset) {
        dst[offset] = image.get(0, 0, 0);
      }
    };
  }

  /** Photo-like JPEGs: smooth gradients and blobs plus noise, so the decoder does real work. */
  private static void writeJpegs(Path dir, int n, int size) throws IOException {
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[size * size * 3];
      double fx = 2 + rng.nextDouble() * 6;
      double fy = 2 + rng.nextDouble() * 6;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int c = 0; c < 3; c++) {
            double v = 128 + 60 * Math.sin(fx * x / size * Math.PI * (c + 1))
                * Math.cos(fy * y / size * Math.PI) + rng.nextInt(40) - 20;
            px[3 * (y * size + x) + c] = (byte) Math.max(0, Math.min(255, (int) v));
          }
        }
      }
      Files.write(dir.resolve(String.format("img%05d.jpg", i)),
          ImageEncoder.jpeg(new RgbImage(size, size, px), 0.9f));
    }
  }

  private static Split filesIn(Path dir) throws IOException {
    List<Example> ex = new ArrayList<>();
    try (var s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile)
          .filter(f -> FileImages.isImageName(f.getFileName().toString())).sorted().toList()) {
        ex.add(FileImages.example(p, p.toString(), 0));
      }
    }
    if (ex.isEmpty()) {
      throw TfpeftException.usage(dir + ": no images to benchmark");
    }
    return new Split("bench", ex);
  }

}
