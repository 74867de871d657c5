package tfpeft.model.imports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.WeightsFormat;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.SafetensorsHeader;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.model.weights.TensorShapes;
import tfpeft.model.weights.WeightFiles;
import tfpeft.model.text.BpeVocabularyFiles;

/**
 * The one entry point for pretrained weights: finds the format, reads the file, tells the
 * architecture, maps every tensor onto tfpeft's variable names, checks that the weights cover
 * the model exactly, and resamples the position embeddings to the configured image size.
 */
public final class Backbones {
  /** tfpeft's backbone directory files (see tfpeft.train.pretrain.PretrainedBackbone). */
  static final String TFPEFT_WEIGHTS = "weights.safetensors";
  static final String TFPEFT_MODEL = "model.pbtxt";
  private static final int LISTED = 12;

  private Backbones() {}

  /**
   * Loads {@code weights}.
   *
   * @param requestedOrNull the configured architecture, or null to take the file's. Only the
   *     fields it sets count: pass the model config as the user wrote it. image_size drives
   *     resampling; fields the weights fix (width, depth, ...) must agree with them
   * @throws TfpeftException (exit code 2) for a missing, unreadable or inconsistent file, an
   *     unknown format, tensors missing or left over, or a config that contradicts the weights
   */
  public static LoadedBackbone load(WeightsConfig weights, ModelConfig requestedOrNull) {
    Source source = resolve(weights);
    TensorFile file = source.format() == WeightsFormat.GOOGLE_NPZ
        ? NpzReader.read(source.weights()) : SafetensorsReader.read(source.weights());
    WeightTable table = source.table();
    SourceTensors src = new SourceTensors(file, new IgnoreList(weights.getIgnoreList()),
        table::harmless);
    Inferred inferred = table.infer(src);
    String where = source.weights().toString();
    ModelConfig model = Architecture.merge(inferred, requestedOrNull, where);
    // the variables at the file's own image size (the merged config supplies what the file
    // does not state, such as OpenAI's heads); the position embeddings are resampled afterwards
    Map<String, long[]> expected = ExpectedVariables.of(withImageSize(model,
        imageSize(inferred.model())), inferred.headClasses());

    Map<String, float[]> converted = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (Mapping m : table.mappings(inferred, expected)) {
      long[] want = expected.get(m.target());
      if (want == null || !Arrays.equals(want, m.shape())) {
        throw new IllegalStateException(inferred.layout() + " table maps onto " + m.target()
            + " " + NamedTensor.formatShape(m.shape()) + ", which the model has as "
            + (want == null ? "no variable" : NamedTensor.formatShape(want)));
      }
      List<float[]> inputs = new ArrayList<>();
      for (int i = 0; i < m.sources().size(); i++) {
        String name = m.sources().get(i);
        if (!src.has(name)) {
          missing.add(m.target() + " <- '" + name + "' ("
              + (src.ignored(name) ? "excluded by weights.ignore" : "not in the file") + ")");
          break;
        }
        NamedTensor t = src.use(name);
        if (!Arrays.equals(t.shape(), m.sourceShapes().get(i))) {
          throw src.error(name, "has shape " + NamedTensor.formatShape(t.shape()) + " but "
              + NamedTensor.formatShape(m.sourceShapes().get(i)) + " is needed for "
              + m.target() + " of the architecture read from the file ("
              + brief(inferred.model()) + "); the file is inconsistent or not " + inferred.layout());
        }
        checkFinite(src, name, t.data());
        inputs.add(t.data());
      }
      if (inputs.size() == m.sources().size()) {
        converted.put(m.target(), m.convert().apply(inputs));
      }
    }
    for (String name : expected.keySet()) {
      if (!converted.containsKey(name) && missing.stream().noneMatch(
          s -> s.startsWith(name + " <- "))) {
        missing.add(name + " (no tensor of this layout maps onto it)");
      }
    }
    List<String> unused = src.unused();
    if (!missing.isEmpty() || !unused.isEmpty()) {
      throw coverageError(where, inferred.layout(), missing, unused);
    }

    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      tensors.put(e.getKey(), converted.get(e.getKey()));
      shapes.put(e.getKey(), e.getValue());
    }
    String resampled = resample(inferred.model(), model, tensors, shapes);

    List<String> notes = new ArrayList<>(inferred.notes());
    Path vocab = model.hasClip() ? vocab(source, notes) : null;
    long parameters = 0;
    for (Map.Entry<String, float[]> e : tensors.entrySet()) {
      if (e.getKey().startsWith("backbone/")) {
        parameters += e.getValue().length;
      }
    }
    ImportReport report = new ImportReport(source.weights(), source.format(), inferred.layout(),
        file.size(), tensors.size(), parameters, inferred.headClasses(),
        HeadLabels.of(source, inferred.headClasses()),
        dtypes(source), src.dropped(), src.ignoredNames(),
        new IgnoreList(weights.getIgnoreList()).unmatched(src.allNames()), resampled, notes);
    return new LoadedBackbone(model, tensors, shapes, vocab, report);
  }

  /**
   * The architecture of the weights at {@code weights} merged with the configured one, as
   * {@link #load} would build it, from the files' headers alone (no tensor data is read, and
   * whether the tensors cover the model is left to {@link #load}).
   *
   * @param requestedOrNull as for {@link #load}: the model config as written
   * @throws TfpeftException as {@link #load} for a missing or unreadable file, an unknown
   *     format, or a config that contradicts the weights
   */
  public static ModelConfig architecture(WeightsConfig weights, ModelConfig requestedOrNull) {
    Source source = resolve(weights);
    TensorShapes shapes = source.format() == WeightsFormat.GOOGLE_NPZ
        ? TensorShapes.ofNpz(source.weights()) : TensorShapes.ofSafetensors(source.weights());
    WeightTable table = source.table();
    Inferred inferred = table.infer(new SourceTensors(shapes,
        new IgnoreList(weights.getIgnoreList()), table::harmless));
    return Architecture.merge(inferred, requestedOrNull, source.weights().toString());
  }

  /**
   * What the weights at {@code weights} are, from the files' headers alone: their format (never
   * AUTO), the layout found ("Hugging Face CLIPModel"), the architecture as stored (its own image
   * size), the weight file itself, and for a tfpeft backbone directory made by {@code tfpeft
   * import} the layout and file it was imported from (its weights' metadata), else null.
   */
  public record Described(WeightsFormat format, String layout, ModelConfig model, Path file,
      String importedLayout, String importedFrom) {
    /**
     * Whether these weights are a Hugging Face transformers checkpoint (config.json beside), or
     * were imported from one: the same tensors under tfpeft's names.
     */
    public boolean huggingFace() {
      return format == WeightsFormat.SAFETENSORS || (importedLayout != null
          && importedLayout.startsWith("Hugging Face"));
    }

    /** The transformers checkpoint these weights are (or were imported from). */
    public Path huggingFaceFile() {
      return format == WeightsFormat.SAFETENSORS ? file : Path.of(importedFrom);
    }
  }

  /** {@link Described} of {@code weights}, reading headers only. */
  public static Described describe(WeightsConfig weights) {
    Source source = resolve(weights);
    TensorShapes shapes = source.format() == WeightsFormat.GOOGLE_NPZ
        ? TensorShapes.ofNpz(source.weights()) : TensorShapes.ofSafetensors(source.weights());
    WeightTable table = source.table();
    Inferred inferred = table.infer(new SourceTensors(shapes,
        new IgnoreList(weights.getIgnoreList()), table::harmless));
    String layout = null;
    String from = null;
    if (source.format() == WeightsFormat.TFPEFT) {
      Map<String, String> meta = SafetensorsReader.readMetadata(source.weights());
      layout = meta.get("layout");
      from = meta.get("source");
      if (from == null) {
        layout = null;
      }
    }
    return new Described(source.format(), inferred.layout(), inferred.model(), source.weights(),
        layout, from);
  }

  /**
   * Refuses a NaN or infinite weight where it is read, naming it: left in, it surfaces epochs
   * later as a NaN loss that looks like a learning-rate problem.
   */
  private static void checkFinite(SourceTensors src, String name, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw src.error(name, "holds " + values[i] + " at index " + i + " of " + values.length
            + "; the weights are damaged or come from a diverged run: download or export them"
            + " again");
      }
    }
  }

  /** Whether the weights at {@code weights} are "vit" or "clip", without reading tensor data. */
  public static String kind(WeightsConfig weights) {
    Source s = resolve(weights);
    return switch (s.format()) {
      case GOOGLE_NPZ -> "vit";
      case OPENAI_CLIP -> "clip";
      case TFPEFT -> TfpeftTable.readModel(s.described()).hasVit() ? "vit" : "clip";
      default -> s.table() instanceof HfVitTable ? "vit" : "clip";
    };
  }

  /** The short form of an architecture for messages: "vit width 768 depth 12 ...". */
  static String brief(ModelConfig m) {
    return com.google.protobuf.TextFormat.printer().shortDebugString(m);
  }

  private static TfpeftException coverageError(String where, String layout,
      List<String> missing, List<String> unused) {
    StringBuilder m = new StringBuilder(where + " (" + layout + ") does not match tfpeft's model"
        + " one to one:");
    if (!missing.isEmpty()) {
      m.append("\n  ").append(missing.size()).append(" model variable")
          .append(missing.size() == 1 ? " has" : "s have").append(" no tensor:");
      for (String s : missing.subList(0, Math.min(LISTED, missing.size()))) {
        m.append("\n    ").append(s);
      }
      if (missing.size() > LISTED) {
        m.append("\n    ... and ").append(missing.size() - LISTED).append(" more");
      }
    }
    if (!unused.isEmpty()) {
      m.append("\n  ").append(unused.size()).append(" tensor")
          .append(unused.size() == 1 ? " of the file is" : "s of the file are")
          .append(" not used:");
      for (String s : unused.subList(0, Math.min(LISTED, unused.size()))) {
        m.append("\n    ").append(s);
      }
      if (unused.size() > LISTED) {
        m.append("\n    ... and ").append(unused.size() - LISTED).append(" more");
      }
      m.append("\n  if the unused tensors have no place in the model, ignore them: "
          + "weights { ignore: \"").append(unused.get(0)).append("\" } in the run config, or "
          + "--ignore '").append(unused.get(0)).append("' with tfpeft import; glob patterns such "
          + "as '").append(globHint(unused.get(0))).append("' ignore several");
    }
    if (!missing.isEmpty()) {
      m.append("\n  missing tensors mean the file is incomplete or of another layout; check "
          + "weights.format and the file");
    }
    return TfpeftException.usage(m.toString());
  }

  /** "text_model.*" for "text_model.encoder.layers.0...": a pattern for a name's first part. */
  private static String globHint(String name) {
    int cut = -1;
    for (char c : new char[] {'.', '/'}) {
      int i = name.indexOf(c);
      if (i > 0 && (cut < 0 || i < cut)) {
        cut = i;
      }
    }
    return cut > 0 ? name.substring(0, cut + 1) + "*" : name + "*";
  }

  static int imageSize(ModelConfig m) {
    return m.hasVit() ? m.getVit().getImageSize() : m.getClip().getImageSize();
  }

  private static ModelConfig withImageSize(ModelConfig m, int size) {
    return m.hasVit()
        ? m.toBuilder().setVit(m.getVit().toBuilder().setImageSize(size)).build()
        : m.toBuilder().setClip(m.getClip().toBuilder().setImageSize(size)).build();
  }

  /** Resamples backbone/pos_embed in place when the image size changed; a report line or null. */
  private static String resample(ModelConfig from, ModelConfig to, Map<String, float[]> tensors,
      Map<String, long[]> shapes) {
    int fromSize = imageSize(from);
    int toSize = imageSize(to);
    int patch = to.hasVit() ? to.getVit().getPatchSize() : to.getClip().getPatchSize();
    if (fromSize == toSize) {
      return null;
    }
    String name = "backbone/pos_embed";
    long[] shape = shapes.get(name);
    int d = Math.toIntExact(shape[1]);
    int grid = toSize / patch;
    tensors.put(name, PositionEmbeddings.resample(tensors.get(name), d, grid));
    shapes.put(name, new long[] {(long) grid * grid + 1, d});
    int g = fromSize / patch;
    return "position embeddings resampled from " + g + "x" + g + " to " + grid + "x" + grid
        + " patches (" + fromSize + " to " + toSize + " pixels, bicubic)";
  }

  private static Map<String, Integer> dtypes(Source source) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (source.format() != WeightsFormat.GOOGLE_NPZ) {
      for (SafetensorsHeader.Entry e : SafetensorsReader.readHeader(source.weights()).entries()) {
        out.merge(e.dtype(), 1, Integer::sum);
      }
    }
    return out;
  }

  // ---- finding the format ----

  /**
   * A resolved weight source.
   *
   * @param weights the tensor file
   * @param described config.json (Hugging Face) or model.pbtxt (tfpeft), else null
   */
  record Source(WeightsFormat format, Path weights, Path described) {
    WeightTable table() {
      return switch (format) {
        case TFPEFT -> new TfpeftTable(described);
        case GOOGLE_NPZ -> new GoogleVitTable();
        case OPENAI_CLIP -> new OpenAiClipTable();
        case SAFETENSORS -> huggingFaceTable(described);
        default -> throw new IllegalStateException(format.toString());
      };
    }

    Path dir() {
      return weights.toAbsolutePath().getParent();
    }
  }

  static Source resolve(WeightsConfig weights) {
    if (weights.getPath().isEmpty()) {
      throw TfpeftException.usage("weights.path is empty; name the weight file or directory");
    }
    Path path = Path.of(weights.getPath());
    if (!Files.exists(path)) {
      throw TfpeftException.usage(path + ": weights not found (model.weights.path); convert"
          + " pretrained weights into it with `tfpeft import`, or point the path at them");
    }
    WeightsFormat format = weights.getFormat();
    if (format == WeightsFormat.AUTO) {
      format = detect(path);
    }
    return switch (format) {
      case TFPEFT -> {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path w = dir.resolve(TFPEFT_WEIGHTS);
        Path m = dir.resolve(TFPEFT_MODEL);
        for (Path p : new Path[] {w, m}) {
          if (!Files.isRegularFile(p)) {
            throw TfpeftException.usage(p + ": not found; a tfpeft backbone directory (format "
                + "TFPEFT) holds " + TFPEFT_WEIGHTS + " and " + TFPEFT_MODEL + ", as tfpeft "
                + "import and tfpeft pretrain write them");
          }
        }
        expectFile(w, WeightFiles.Format.SAFETENSORS, format);
        yield new Source(format, w, m);
      }
      case SAFETENSORS -> {
        Path w = WeightFiles.weightsFile(path);
        Path config = WeightFiles.configBeside(path).orElseThrow(() -> TfpeftException.usage(
            (Files.isDirectory(path) ? path : w.toAbsolutePath().getParent()).resolve(
                WeightFiles.CONFIG_FILE) + ": not found; a Hugging Face checkpoint "
            + "needs the config.json it came with beside the weights (it states the heads, "
            + "LayerNorm epsilon and activation)"));
        expectFile(w, WeightFiles.Format.SAFETENSORS, format);
        yield new Source(format, w, config);
      }
      case GOOGLE_NPZ, OPENAI_CLIP -> {
        if (Files.isDirectory(path)) {
          throw TfpeftException.usage(path + ": is a directory; format " + format + " expects "
              + (format == WeightsFormat.GOOGLE_NPZ ? "the .npz file" : "the .safetensors file"));
        }
        expectFile(path, format == WeightsFormat.GOOGLE_NPZ ? WeightFiles.Format.NPZ
            : WeightFiles.Format.SAFETENSORS, format);
        yield new Source(format, path, null);
      }
      default -> throw TfpeftException.usage(path + ": unknown weights format " + format);
    };
  }

  /** Fails unless {@code file}'s bytes are of the kind the configured format reads. */
  private static void expectFile(Path file, WeightFiles.Format want, WeightsFormat format) {
    WeightFiles.Format got = WeightFiles.detect(file);
    if (got != want) {
      throw TfpeftException.usage(file + ": is " + describe(got) + ", but weights.format "
          + format + " reads " + describe(want) + "; set weights.format to match the file, or "
          + "AUTO");
    }
  }

  private static String describe(WeightFiles.Format f) {
    return switch (f) {
      case NPZ -> "an .npz (zip) file";
      case NPY -> "a single .npy array";
      case SAFETENSORS -> "a safetensors file";
    };
  }

  /** AUTO: the format from the directory's files or the file's name and contents. */
  static WeightsFormat detect(Path path) {
    if (Files.isDirectory(path)) {
      if (Files.isRegularFile(path.resolve(TFPEFT_MODEL))) {
        return WeightsFormat.TFPEFT;
      }
      if (Files.isRegularFile(path.resolve(WeightFiles.CONFIG_FILE))) {
        return WeightsFormat.SAFETENSORS;
      }
      if (Files.isRegularFile(path.resolve(WeightFiles.MODEL_FILE))) {
        throw TfpeftException.usage(path.resolve(WeightFiles.CONFIG_FILE) + ": not found; a "
            + "Hugging Face checkpoint needs the config.json it came with beside "
            + WeightFiles.MODEL_FILE);
      }
      if (Files.isRegularFile(path.resolve("variables.index"))
          || Files.isRegularFile(path.resolve("config.pbtxt"))) {
        throw TfpeftException.usage(path + ": a run's checkpoint or run directory, not"
            + " backbone weights; evaluate the run with tfpeft eval RUN_DIR, serve or predict"
            + " with it after tfpeft export RUN_DIR [--checkpoint DIR] --out SAVEDMODEL, or give"
            + " the backbone directory the run started from");
      }
      throw TfpeftException.usage(path + ": cannot tell the weight format of this directory: "
          + "expected " + TFPEFT_MODEL + " + " + TFPEFT_WEIGHTS + " (tfpeft) or config.json + "
          + WeightFiles.MODEL_FILE + " (Hugging Face); for a Google .npz or an OpenAI CLIP "
          + ".safetensors name the file itself");
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".pbtxt")) {
      return WeightsFormat.TFPEFT;
    }
    switch (WeightFiles.detect(path)) {
      case NPZ:
        return WeightsFormat.GOOGLE_NPZ;
      case NPY:
        throw TfpeftException.usage(path + ": a single .npy array is not a checkpoint; give a "
            + ".npz, a .safetensors file or a model directory");
      default:
        break;
    }
    Path dir = path.toAbsolutePath().getParent();
    if (Files.isRegularFile(dir.resolve(TFPEFT_MODEL))) {
      return WeightsFormat.TFPEFT;
    }
    List<String> names = new ArrayList<>();
    for (SafetensorsHeader.Entry e : SafetensorsReader.readHeader(path).entries()) {
      names.add(e.name());
    }
    if (OpenAiClipTable.looksLike(names)) {
      return WeightsFormat.OPENAI_CLIP;
    }
    if (WeightFiles.configBeside(path).isPresent()) {
      return WeightsFormat.SAFETENSORS;
    }
    if (!names.isEmpty() && names.stream().allMatch(
        n -> n.startsWith("backbone/") || n.startsWith("head/"))) {
      throw TfpeftException.usage(dir.resolve(TFPEFT_MODEL) + ": not found; " + path
          + " holds tfpeft variables, which need the model.pbtxt written with them");
    }
    throw TfpeftException.usage(dir.resolve(WeightFiles.CONFIG_FILE) + ": not found; "
        + path + " is not in the OpenAI CLIP layout, and as a Hugging Face checkpoint it needs "
        + "the config.json it came with beside it; set weights.format if it is another layout");
  }

  private static WeightTable huggingFaceTable(Path configFile) {
    ConfigJson config = new ConfigJson(configFile, WeightFiles.readJsonConfig(configFile));
    Optional<String> type = config.string("model_type");
    String arch = config.firstString("architectures").orElse("");
    String t = type.orElse("");
    if (t.equals("vit") || t.isEmpty() && arch.startsWith("ViT")) {
      return new HfVitTable(config);
    }
    if (t.equals("clip") || t.isEmpty() && arch.startsWith("CLIP")) {
      return new HfClipTable(config);
    }
    throw TfpeftException.usage(configFile + ": "
        + (type.isPresent() ? "model_type \"" + t + "\"" : "no model_type"
            + (arch.isEmpty() ? "" : " and architecture " + arch))
        + " is not a model tfpeft imports; it reads Hugging Face vit (ViTModel, "
        + "ViTForImageClassification) and clip (CLIPModel)");
  }

  /** The tokenizer vocabulary that came with CLIP weights, or null with a note. */
  private static Path vocab(Source source, List<String> notes) {
    Path dir = source.dir();
    Path json = dir.resolve(BpeVocabularyFiles.VOCAB_JSON);
    Path merges = dir.resolve(BpeVocabularyFiles.MERGES_TXT);
    if (Files.isRegularFile(json) && Files.isRegularFile(merges)) {
      return json;
    }
    if (source.format() == WeightsFormat.OPENAI_CLIP) {
      for (String n : new String[] {BpeVocabularyFiles.CLIP_MERGES_FILE,
          "bpe_simple_vocab_16e6.txt"}) {
        if (Files.isRegularFile(dir.resolve(n))) {
          return dir.resolve(n);
        }
      }
    }
    notes.add("no tokenizer vocabulary beside the weights (vocab.json + merges.txt"
        + (source.format() == WeightsFormat.OPENAI_CLIP ? ", or CLIP's "
            + BpeVocabularyFiles.CLIP_MERGES_FILE : "") + "); set model.clip.tokenizer");
    return null;
  }
}
