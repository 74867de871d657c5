package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Example;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.SyntheticData;
import tfpeft.data.Transforms;
import tfpeft.data.image.ImageDecoder;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.MultiAdapterExport;
import tfpeft.export.PeftAdapterConfig;
import tfpeft.export.PeftArtifact;
import tfpeft.export.RunModel;
import tfpeft.model.text.RunTokenizer;
import tfpeft.train.RunSession;
import tfpeft.export.ServingExport;
import tfpeft.model.BuiltModel;
import tfpeft.model.imports.Backbones;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ClassPrompts;
import tfpeft.train.RunDirectory;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * {@code tfpeft export RUN}: a trained run as a SavedModel with its method folded in. The run's
 * graph is rebuilt from its config ({@link RunModel}), restored from the chosen checkpoint, and
 * its logits on a held batch are the reference the written SavedModel must reproduce.
 */
final class RunExport {
  /** Images of the held batch the export is checked on. */
  static final int HELD = 8;
  /** Of them, how many also go through the bytes signature. */
  static final int ENCODED = 4;

  /** Where the held batch came from, and its pixels. */
  record Held(String origin, int n, float[] pixels, List<byte[]> encoded) {}

  private RunExport() {}

  static int run(CommandLine line, Console console, String runArg) throws IOException {
    RunDirectory dir = RunDirectory.existing(Path.of(runArg), "export a backbone with --weights");
    // the checkpoint must not be deleted (keep-N) or the default --out written by another
    // command while this one reads and writes
    try (tfpeft.util.DirectoryLock lock = dir.lockExisting("tfpeft export " + dir.root())) {
      return run(line, console, dir);
    }
  }

  /**
   * The {@code --set} overrides export of a run takes: {@code model.weights.path=PATH} only,
   * where the base of an adapter-sized checkpoint is now; the run brings the rest of its config.
   */
  static List<String> baseOverrides(CommandLine line) {
    String[] sets = line.getOptionValues("set");
    if (sets == null) {
      return List.of();
    }
    for (String s : sets) {
      if (!s.startsWith("model.weights.path=")) {
        throw TfpeftException.usage("--set " + s + ": export of a run takes --set"
            + " model.weights.path=PATH only (where its base is now); the run brings the rest"
            + " of its config");
      }
    }
    return List.of(sets);
  }

  private static int run(CommandLine line, Console console, RunDirectory dir)
      throws IOException {
    long start = System.nanoTime();
    RunConfig config = dir.placedConfig(baseOverrides(line));
    if (line.hasOption("keep-lora")) {
      config = keepingLora(config, "the run " + dir.root() + " trains method."
          + MethodRegistry.nameOf(config.getMethod().getMethodCase()));
    }
    Path out = ExportCommand.savedModelDir(line, line.hasOption("out")
        ? Path.of(line.getOptionValue("out")) : dir.root().resolve(config.getExport().getDir()));
    CheckpointStore.Checkpoint checkpoint = dir.checkpointOf(
        line.getOptionValue("checkpoint", "last"), config);
    TensorFile values = dir.modelVariables(checkpoint, "export");

    DataAtHand at = DataAtHand.load(config, console);
    Dataset data = at.data();
    String dataProblem = at.problem();
    List<String> classNames = data != null ? data.classNames() : dir.reportedClasses();
    if (classNames == null) {
      throw TfpeftException.usage("the run's data is not available (" + firstLine(dataProblem)
          + ") and " + dir.report() + " does not name its classes; make the data of "
          + dir.config() + " available again");
    }
    if (data == null) {
      console.info("the run's data is not available (" + firstLine(dataProblem) + "); checking"
          + " on deterministic random images");
    }

    RunConfig resolved = config;
    Supplier<ClassPrompts> prompts = () -> prompts(resolved, data, dataProblem, classNames,
        checkpoint.templates());
    try (RunModel model = RunModel.open(config, MethodRegistry.builtIn(), checkpoint,
        classNames, prompts, values)) {
      Served served = serve(model, data, out);
      report(console, out, checkpoint.dir().toString(), config, served, classNames, start);
    }
    return 0;
  }

  /**
   * {@code export --adapter ART [--weights BASE] --out DIR}: the artifact applied to its base
   * (the artifact's own base path unless --weights names another copy; the checksum must match)
   * and exported as a run is, checked against the applied model's logits.
   */
  static int runArtifact(CommandLine line, Console console) throws IOException {
    long start = System.nanoTime();
    Path art = Path.of(line.getOptionValue("adapter"));
    if (!line.hasOption("out")) {
      throw TfpeftException.usage("export --adapter " + art + " without a RUN_DIR serves the"
          + " artifact on its base: name the SavedModel directory with --out (or give the run"
          + " directory to write an artifact: export RUN_DIR --adapter DIR)");
    }
    Path out = ExportCommand.savedModelDir(line, Path.of(line.getOptionValue("out")));
    AdapterArtifact artifact = PeftAdapterConfig.isPeftAdapter(art)
        ? PeftArtifact.of(art, line.getOptionValue("weights"), peftClasses(line),
            line.hasOption("template") ? List.of(line.getOptionValues("template")) : List.of())
        : AdapterArtifact.read(art);
    String keepLora = line.hasOption("keep-lora") ? "the artifact " + art + " holds method."
        + artifact.methodName() : null;
    if (keepLora != null) {
      keepingLora(artifact.config(), keepLora);
    }
    try (RunSession m = artifact.openOnBase(line.getOptionValue("weights"),
        MethodRegistry.builtIn(), console::info, art)) {
      RunConfig config = keepLora == null ? m.config() : keepingLora(m.config(), keepLora);
      DataAtHand at = DataAtHand.load(config, console);
      if (at.data() == null) {
        console.info("the artifact's data is not available (" + firstLine(at.problem()) + ");"
            + " checking on deterministic random images");
      }
      try (RunModel model = RunModel.of(m, config, artifact.methodState(),
          MethodRegistry.builtIn())) {
        Served served = serve(model, at.data(), out);
        report(console, out, art + " on " + artifact.base().name(), config, served,
            artifact.classNames(), start);
      }
    }
    return 0;
  }

  /** --classes as a file of names or A,B,...; null when not given. */
  private static List<String> peftClasses(CommandLine line) throws IOException {
    String arg = line.getOptionValue("classes");
    if (arg == null) {
      return null;
    }
    List<String> names = new java.util.ArrayList<>();
    Path p = Path.of(arg);
    for (String s : java.nio.file.Files.isRegularFile(p) ? java.nio.file.Files.readAllLines(p)
        : List.of(arg.split(","))) {
      if (!s.isBlank()) {
        names.add(s.strip());
      }
    }
    if (names.isEmpty()) {
      throw TfpeftException.usage("--classes " + arg + " names no classes");
    }
    return names;
  }

  /**
   * {@code export --adapter A --adapter B ... --out DIR}: the artifacts, made on one base, served
   * by one SavedModel ({@link MultiAdapterExport}): the bases' checksums must be equal, and so
   * the image size and preprocessing; each artifact is applied to the base in turn and checked
   * as a single export is, on one held batch of deterministic random images.
   */
  static int runArtifacts(CommandLine line, Console console) throws IOException {
    long start = System.nanoTime();
    if (!line.hasOption("out")) {
      throw TfpeftException.usage("export --adapter A --adapter B ... serves the artifacts in"
          + " one SavedModel: name its directory with --out");
    }
    List<Path> paths = new ArrayList<>();
    List<AdapterArtifact> artifacts = new ArrayList<>();
    for (String a : line.getOptionValues("adapter")) {
      Path p = Path.of(a);
      if (paths.contains(p)) {
        throw TfpeftException.usage("--adapter " + a + " is given twice");
      }
      paths.add(p);
      if (PeftAdapterConfig.isPeftAdapter(p)) {
        throw TfpeftException.usage("--adapter " + a + " is a Hugging Face PEFT adapter, which"
            + " records no base checksum to check the others against; serve it alone"
            + " (export --adapter " + a + " --out DIR) or start a run from it (train"
            + " --init-adapter) and export that run's artifact with the others");
      }
      artifacts.add(AdapterArtifact.read(p));
    }
    AdapterArtifact first = artifacts.get(0);
    TransformConfig preprocess = servedPreprocess(first);
    int size = BuiltModel.imageSize(first.config().getModel());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < artifacts.size(); i++) {
      AdapterArtifact a = artifacts.get(i);
      if (!a.base().sameWeights(first.base())) {
        throw TfpeftException.usage("the artifacts are made on different bases: " + paths.get(0)
            + " on " + first.base().describe() + ", " + paths.get(i) + " on "
            + a.base().describe() + "; one SavedModel serves adapters of one base (export the"
            + " others separately)");
      }
      if (BuiltModel.imageSize(a.config().getModel()) != size
          || !servedPreprocess(a).equals(preprocess)) {
        throw TfpeftException.usage(paths.get(i) + " takes other images than " + paths.get(0)
            + " (image size or data.eval_transform differ: "
            + com.google.protobuf.TextFormat.printer().shortDebugString(servedPreprocess(a))
            + " vs " + com.google.protobuf.TextFormat.printer().shortDebugString(preprocess)
            + "); the adapters of one SavedModel share its inputs");
      }
      Path file = paths.get(i).toAbsolutePath().normalize().getFileName();
      String name = MultiAdapterExport.signatureName(file == null ? "adapter" : file.toString());
      int clash = names.indexOf(name);
      if (clash >= 0) {
        throw TfpeftException.usage(paths.get(clash) + " and " + paths.get(i) + " would both be"
            + " served as signature " + name + " (an artifact's directory name, letters, digits"
            + " and _ kept); rename one of the directories");
      }
      names.add(name);
    }
    Path out = ExportCommand.savedModelDir(line, Path.of(line.getOptionValue("out")));
    Held held = random(Transforms.build(preprocess, size), size);
    MultiAdapterExport export = new MultiAdapterExport(size, preprocess);
    double tolerance = ServingExport.TOLERANCE;
    for (int i = 0; i < artifacts.size(); i++) {
      AdapterArtifact a = artifacts.get(i);
      java.util.Set<String> trained = new java.util.HashSet<>();
      a.tensors().forEach(t -> trained.add(t.name()));
      try (RunSession m = a.openOnBase(line.getOptionValue("weights"),
          MethodRegistry.builtIn(), console::info, paths.get(i));
          RunModel model = RunModel.of(m, m.config(), a.methodState(),
              MethodRegistry.builtIn())) {
        export.add(names.get(i), paths.get(i).toString(), model, trained, held.pixels(),
            held.n());
        tolerance = Math.min(tolerance, m.config().getExport().getCheckTolerance());
      }
    }
    float[] encodedPixels = java.util.Arrays.copyOf(held.pixels(),
        held.encoded().size() * size * size * 3);
    MultiAdapterExport.Check check = export.write(out, held.pixels(), held.encoded(),
        encodedPixels, tolerance);
    double seconds = (System.nanoTime() - start) / 1e9;
    console.println(String.format(Locale.ROOT, "wrote %s: %d adapters on %s (signatures %s;"
        + " %s and %s take the adapter's name), %.2f MB in %.1f s: the shared backbone %.2f MB"
        + " once, the adapters' own variables %s", out, names.size(), first.base().describe(),
        String.join(", ", names), ServingExport.DEFAULT_SIGNATURE,
        ServingExport.BYTES_SIGNATURE, check.bytesOnDisk() / 1048576.0, seconds,
        check.sharedBytes() / 1048576.0, ownSizes(check)));
    StringBuilder diffs = new StringBuilder();
    check.maxAbsDiff().forEach((k, v) -> diffs.append(diffs.length() == 0 ? "" : ", ")
        .append(k).append(String.format(Locale.ROOT, " %.2e", v)));
    console.println(String.format(Locale.ROOT, "checked on %d %s against each adapter's trained"
        + " graph: max |logit difference| per signature %s; %s by name %.2e (limit %.0e);"
        + " bytes signature vs tfpeft's preprocessing on %d of them: %.2e", check.images(),
        held.origin(), diffs, ServingExport.DEFAULT_SIGNATURE, check.byNameMaxAbsDiff(),
        tolerance, check.encodedSamples(), check.bytesMaxAbsDiff()));
    return 0;
  }

  private static String ownSizes(MultiAdapterExport.Check check) {
    StringBuilder s = new StringBuilder();
    check.adapterBytes().forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k)
        .append(String.format(Locale.ROOT, " %.3f MB", v / 1048576.0)));
    return s.toString();
  }

  /** The preprocessing an artifact's images take: its run's evaluation transform. */
  static TransformConfig servedPreprocess(AdapterArtifact a) {
    return a.config().getData().getEvalTransform().toBuilder().setSize(0).build();
  }

  /** The run's dataset when it can be loaded, else null and why not. */
  record DataAtHand(Dataset data, String problem) {
    static DataAtHand load(RunConfig config, Console console) {
      if (config.getData().getSourceCase()
          == tfpeft.config.proto.DataConfig.SourceCase.SOURCE_NOT_SET) {
        return new DataAtHand(null, "it names no dataset");  // a Hugging Face PEFT adapter
      }
      // checking an export is no reason to write 160 MB of images: a synthetic suite that is
      // not there is data not at hand, as a real dataset that is not there is
      if (config.getData().hasSynthetic()
          && !SyntheticData.isGenerated(Path.of(config.getData().getSynthetic().getDir()))) {
        return new DataAtHand(null, "the synthetic suite is not in "
            + config.getData().getSynthetic().getDir() + " (data.synthetic.dir), and export"
            + " does not generate it (`tfpeft data generate --out DIR` does)");
      }
      SyntheticData.setProgress(console::info);
      try {
        return new DataAtHand(DataSources.load(config.getData(), config.getSeed(),
            new BadExamples(true, m -> {})), null);
      } catch (TfpeftException e) {
        return new DataAtHand(null, e.getMessage());
      }
    }
  }

  /** An export's check, what was folded, and the held batch's origin. */
  record Served(ServingExport.Check check, String folding, String heldOrigin) {}

  /**
   * Folds the method of {@code model} in, writes the SavedModel and checks it on a held batch of
   * {@code data} (deterministic random images when null).
   */
  static Served serve(RunModel model, Dataset data, Path out) {
    RunConfig config = model.config();
    int size = BuiltModel.imageSize(config.getModel());
    TransformConfig preprocess = config.getData().getEvalTransform().toBuilder().setSize(0)
        .build();
    Held held = data != null && !heldSplit(data).isEmpty()
        ? fromSplit(heldSplit(data), Transforms.build(preprocess, size))
        : random(Transforms.build(preprocess, size), size);
    float[][] reference = model.logits(held.pixels(), held.n());
    String folding = describeFolding(model);
    float[] encodedPixels = java.util.Arrays.copyOf(held.pixels(),
        held.encoded().size() * size * size * 3);
    ServingExport.Check check = ServingExport.export(model.servingModel(preprocess), out,
        held.pixels(), reference, held.encoded(), encodedPixels,
        config.getExport().getCheckTolerance());
    return new Served(check, folding, held.origin());
  }

  private static void report(Console console, Path out, String from, RunConfig config,
      Served served, List<String> classNames, long start) {
    ServingExport.Check check = served.check();
    double seconds = (System.nanoTime() - start) / 1e9;
    console.println(String.format(Locale.ROOT, "wrote %s from %s (method %s; %s): %d classes,"
        + " %.2f MB in %.1f s", out, from,
        MethodRegistry.nameOf(config.getMethod().getMethodCase()), served.folding(),
        classNames.size(), check.bytesOnDisk() / 1048576.0, seconds));
    console.println(String.format(Locale.ROOT, "checked on %d %s against the trained graph:"
        + " max |logit difference| %.2e (limit %.0e); bytes signature vs tfpeft's"
        + " preprocessing on %d of them: max |logit difference| %.2e", check.images(),
        served.heldOrigin(), check.maxAbsDiff(), (double) config.getExport().getCheckTolerance(),
        check.encodedSamples(), check.bytesMaxAbsDiff()));
  }

  /**
   * {@code config} with its LoRA paths kept unmerged (--keep-lora), refused with
   * {@code refusal} where the method has none to keep.
   */
  private static RunConfig keepingLora(RunConfig config, String refusal) {
    if (!MethodRegistry.builtIn().create(config.getMethod()).hasLoraPathsToKeep(config)) {
      throw TfpeftException.usage("--keep-lora: " + refusal + ", which has no LoRA paths to"
          + " keep; leave the flag out");
    }
    return config.toBuilder().setExport(config.getExport().toBuilder().setMergeLora(false))
        .build();
  }

  /** The split the held batch comes from: test, else val, else train. */
  private static Split heldSplit(Dataset d) {
    return !d.test().isEmpty() ? d.test() : !d.val().isEmpty() ? d.val() : d.train();
  }

  /** Up to {@link #HELD} images spread evenly over the split, preprocessed for evaluation. */
  static Held fromSplit(Split split, Preprocess pre) {
    int n = Math.min(HELD, split.size());
    int per = pre.height() * pre.width() * 3;
    float[] px = new float[n * per];
    List<byte[]> encoded = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(0);
    for (int k = 0; k < n; k++) {
      Example e = split.examples().get((int) ((long) k * split.size() / n));
      RgbImage img = e.image().load();
      if (k < ENCODED) {
        encoded.add(ImageEncoder.png(img));
      }
      pre.apply(img, rng, px, k * per);
    }
    return new Held(split.name() + " images", n, px, encoded);
  }

  /** Smooth colour fields with noise at 1.5x the model's size, fixed by a seed. */
  static Held random(Preprocess pre, int size) {
    int per = size * size * 3;
    float[] px = new float[HELD * per];
    List<byte[]> encoded = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(11);
    for (int k = 0; k < HELD; k++) {
      RgbImage img = ExportCommand.sample(size * 3 / 2, size * 3 / 2 + k, rng);
      byte[] png = ImageEncoder.png(img);
      if (k < ENCODED) {
        encoded.add(png);
      }
      pre.apply(ImageDecoder.decode(png, "sample " + k), rng, px, k * per);
    }
    return new Held("deterministic random images", HELD, px, encoded);
  }

  /** The class prompts of a CLIP run, as the trainer made them. */
  private static ClassPrompts prompts(RunConfig c, Dataset data, String dataProblem,
      List<String> classNames, List<String> templates) {
    var clip = c.getModel().getClip();
    if (templates == null && data == null && clip.getTemplatesCount() == 0) {
      throw TfpeftException.usage("the run's class prompts use its dataset's templates, and the"
          + " data is not available (" + firstLine(dataProblem) + "); make it available again");
    }
    Path vocab = null;
    if (clip.getTokenizer().isEmpty() && !c.getModel().getWeights().getPath().isEmpty()) {
      vocab = Backbones.load(c.getModel().getWeights(), null).vocab();
    }
    return ClassPrompts.of(RunTokenizer.of(c, vocab), classNames,
        templates != null ? templates
            : ClassPrompts.templates(c, data == null ? List.of() : data.templates()),
        clip.getContextLength());
  }

  private static String describeFolding(RunModel m) {
    String what = m.trained().method().foldingDescription(m.config());
    if (m.classFeatures() != null) {
      what += "; class text features baked in";
    } else if (m.classifier() == tfpeft.peft.ClassifierKind.IMAGE_CONDITIONED) {
      what += "; the text tower served with the class prompts' token ids (class features per"
          + " image)";
    }
    return what;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
