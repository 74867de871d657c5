package tfpeft.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VitClassifier;
import tfpeft.util.AtomicFiles;

/**
 * A classifier as a SavedModel for serving (tag {@code serve}): signature {@code serving_default}
 * takes preprocessed float images [N, S, S, 3], signature {@code serving_bytes} a batch of
 * encoded JPEG or PNG images [N] (strings) preprocessed in the graph; both give {@code logits}, {@code probabilities},
 * {@code class_id} and {@code class_name}. The class names are also an asset
 * ({@code assets/class_names.txt}). For CLIP the class text features are baked in as a constant.
 *
 * <p>Before the directory appears, the SavedModel is loaded back in a fresh session and its
 * predictions on held images are compared with the reference logits the caller computed with the
 * trained graph; the export fails if they differ by more than {@link #TOLERANCE}.
 */
public final class ServingExport {
  /** Largest absolute logit difference accepted between the export and the trained graph. */
  public static final double TOLERANCE = 1e-5;
  public static final String DEFAULT_SIGNATURE = "serving_default";
  public static final String BYTES_SIGNATURE = "serving_bytes";
  static final String CLASS_NAMES_ASSET = "class_names.txt";
  /** The preprocessing of serving_default's input, as a text-format TransformConfig. */
  public static final String PREPROCESS_ASSET = "preprocess.pbtxt";

  /**
   * Builds the served classifier into a net: images [N, S, S, 3] in, logits [N, C] out. Every
   * variable it creates gets its value from {@link Model#tensors()} by name.
   */
  @FunctionalInterface
  public interface Classifier {
    Operand<TFloat32> logits(Net net, Operand<TFloat32> images);
  }

  /**
   * What is exported: the architecture, the variable values with the method folded in, class
   * names, for a zero-shot CLIP the normalized class text features [C, E], the preprocessing,
   * and how the classifier is built.
   *
   * @param classifier builds the served graph; null for a backbone as it is (a ViT with its
   *     head, or a CLIP scoring {@code classFeatures}), see {@link RunModel} for a trained run
   */
  public record Model(ModelConfig config, Map<String, float[]> tensors, List<String> classNames,
      float[][] classFeatures, TransformConfig preprocess, Classifier classifier) {
    /** A backbone as it is. */
    public Model(ModelConfig config, Map<String, float[]> tensors, List<String> classNames,
        float[][] classFeatures, TransformConfig preprocess) {
      this(config, tensors, classNames, classFeatures, preprocess, null);
    }
  }

  /** The outcome: max |logit difference| on the held images, and of the bytes path on samples. */
  public record Check(int images, double maxAbsDiff, int encodedSamples, double bytesMaxAbsDiff,
      long bytesOnDisk) {}

  private ServingExport() {}

  /**
   * Writes the SavedModel to {@code out} (all or nothing).
   *
   * @param held preprocessed images, row-major [n, S, S, 3]
   * @param reference the trained graph's logits of {@code held}
   * @param encoded encoded images for the bytes-path check, with {@code encodedPixels} their
   *     preprocessing by tfpeft's own pipeline (row-major [k, S, S, 3]); may be empty
   */
  public static Check export(Model m, Path out, float[] held, float[][] reference,
      List<byte[]> encoded, float[] encodedPixels) {
    return export(m, out, held, reference, encoded, encodedPixels, TOLERANCE);
  }

  /** As {@link #export(Model, Path, float[], float[][], List, float[])} with its own limit. */
  public static Check export(Model m, Path out, float[] held, float[][] reference,
      List<byte[]> encoded, float[] encodedPixels, double tolerance) {
    int size = BuiltModel.imageSize(m.config());
    Path parent = out.toAbsolutePath().getParent();
    Path tmp = parent.resolve("." + out.getFileName() + ".export.tmp");
    try {
      Files.createDirectories(parent);
      AtomicFiles.deleteTree(tmp);
      try {
        write(m, size, tmp);
      } catch (RuntimeException e) {
        // TensorFlow's saver reports the file system's refusal (a full disk, a read-only
        // directory, a name too long) as its own exceptions: the user's to fix, not a bug
        if (!e.getClass().getPackageName().equals("org.tensorflow.exceptions")) {
          throw e;
        }
        throw TfpeftException.failure("cannot write the SavedModel into " + parent + ": "
            + firstLine(e.getMessage()) + "; free some space or choose another --out (nothing"
            + " was written to " + out + ")", e);
      }
      Check check = verify(tmp, size, held, reference, encoded, encodedPixels);
      if (!(check.maxAbsDiff() <= tolerance)) {
        throw TfpeftException.failure(String.format("the exported model's logits differ from the"
            + " trained graph's by %.3g (more than %.0e) on %d held images; nothing was written"
            + " to %s", check.maxAbsDiff(), tolerance, check.images(), out));
      }
      AtomicFiles.replaceDirectory(tmp, out);
      return check;
    } catch (IOException e) {
      throw TfpeftException.failure("cannot export to " + out + ": " + e.getMessage(), e);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no reason given)";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * The served graph of one model before its variables hold values: the pruned graph, how to
   * load each variable it keeps, and the tensor names of its ends by key (images, image_bytes,
   * logits, probabilities, class_id, class_name, class_names_path).
   */
  record Built(GraphDef graph, List<Load> kept, Map<String, String> outputs) {
    /** The op name of the end {@code key}. */
    String op(String key) {
      String t = outputs.get(key);
      return t.substring(0, t.lastIndexOf(':'));
    }
  }

  static Built build(Model m, int size) {
    Map<String, String> outputs = new java.util.LinkedHashMap<>();
    List<Load> kept = new ArrayList<>();
    GraphDef served;
    try (Graph g = new Graph()) {
      Net net = Net.serving(g, 0);
      Ops tf = net.tf();
      Placeholder<TString> bytes = tf.withName("image_bytes").placeholder(TString.class,
          Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> fromBytes = GraphPreprocess.applyBatch(tf.withSubScope("preprocess"),
          bytes, m.preprocess(), size);
      Operand<TFloat32> images = tf.withName("images").placeholderWithDefault(fromBytes,
          Shape.of(-1, size, size, 3));
      Operand<TFloat32> logits;
      if (m.classifier() != null) {
        logits = m.classifier().logits(net, images);
      } else if (m.config().hasClip()) {
        Operand<TFloat32> features = ClipModel.imageFeatures(net, images,
            ClipModel.spec(m.config().getClip()), 0f);
        logits = tf.math.mul(tf.linalg.matMul(ClipModel.normalize(tf, features),
            tf.constant(m.classFeatures()), org.tensorflow.op.linalg.MatMul.transposeB(true)),
            tf.math.exp(ClipModel.logitScale(net)));
      } else {
        logits = VitClassifier.apply(net, m.config().getVit(), m.classNames().size(), false,
            images).logits();
      }
      logits = tf.withName("output_logits").identity(logits);
      Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
      Operand<TInt64> classId = tf.withName("class_id").math.argMax(logits, tf.constant(1),
          TInt64.class);
      Operand<TString> className = tf.withName("class_name").gather(
          tf.constant(StandardCharsets.UTF_8, m.classNames().toArray(String[]::new)), classId,
          tf.constant(0));
      List<Operand<?>> ends = List.of(images, bytes, logits, probabilities, classId, className,
          tf.withName("class_names_path").constant(CLASS_NAMES_ASSET));
      String[] keys = {"images", "image_bytes", "logits", "probabilities", "class_id",
          "class_name", "class_names_path"};
      for (int i = 0; i < keys.length; i++) {
        outputs.put(keys[i], ends.get(i).op().name() + ":" + ends.get(i).asOutput().index());
      }
      served = pruned(g, ends, net, kept);
    }
    return new Built(served, kept, outputs);
  }

  private static void write(Model m, int size, Path dir) throws IOException {
    Built built = build(m, size);
    GraphDef served = built.graph();
    List<Load> kept = built.kept();
    Map<String, String> outputs = built.outputs();
    // The served graph holds only what its signatures reach: a variable that a method's hooks
    // created but the served computation never reads (text-side prompts once the class features
    // are baked in) is left out, and so is its value.
    try (Graph g = new Graph()) {
      g.importGraphDef(served);
      try (Session s = new Session(g)) {
        for (Load v : kept) {
          float[] values = m.tensors().get(v.variable());
          if (values == null) {
            throw TfpeftException.failure("export: no value for " + v.variable());
          }
          try (TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false))) {
            s.runner().feed(v.value(), t).addTarget(v.assign()).run();
          }
        }
        Signature floats = Signature.builder().key(DEFAULT_SIGNATURE)
            .methodName("tensorflow/serving/predict").input("images", out(g, outputs, "images"))
            .output("logits", out(g, outputs, "logits"))
            .output("probabilities", out(g, outputs, "probabilities"))
            .output("class_id", out(g, outputs, "class_id"))
            .output("class_name", out(g, outputs, "class_name")).build();
        Signature encodedSig = Signature.builder().key(BYTES_SIGNATURE)
            .methodName("tensorflow/serving/predict")
            .input("image_bytes", out(g, outputs, "image_bytes"))
            .output("logits", out(g, outputs, "logits"))
            .output("probabilities", out(g, outputs, "probabilities"))
            .output("class_id", out(g, outputs, "class_id"))
            .output("class_name", out(g, outputs, "class_name")).build();
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignatures(floats, encodedSig).export();
      }
    }
    Files.createDirectories(dir.resolve("assets"));
    Files.writeString(dir.resolve("assets").resolve(CLASS_NAMES_ASSET),
        String.join("\n", m.classNames()) + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("assets").resolve(PREPROCESS_ASSET),
        "# the preprocessing serving_default expects\n"
        + com.google.protobuf.TextFormat.printer().printToString(m.preprocess()));
    Path pb = dir.resolve("saved_model.pb");
    SavedModel.Builder sm = SavedModel.parseFrom(Files.readAllBytes(pb)).toBuilder();
    sm.getMetaGraphsBuilder(0).addAssetFileDef(AssetFileDef.newBuilder()
        .setTensorInfo(org.tensorflow.proto.TensorInfo.newBuilder()
            .setName("class_names_path:0").setDtype(org.tensorflow.proto.DataType.DT_STRING))
        .setFilename(CLASS_NAMES_ASSET));
    Files.write(pb, sm.build().toByteArray());
  }

  /**
   * The part of {@code g} that {@code outputs} depend on, plus the assign ops that load the
   * variables in it (how to load each goes into {@code kept}).
   */
  private static GraphDef pruned(Graph g, List<Operand<?>> outputs, Net net, List<Load> kept) {
    java.util.Set<String> keep = new java.util.HashSet<>();
    for (GraphOperation op : g.subgraphTo(new java.util.HashSet<>(outputs))) {
      keep.add(op.name());
    }
    for (Operand<?> o : outputs) {
      keep.add(o.op().name());
    }
    for (ModelVariable v : net.variables()) {
      if (keep.contains(v.variable().op().name())) {
        kept.add(new Load(v.name(), v.shape(), v.loadValue().op().name(),
            v.load().op().name()));
        keep.add(v.loadValue().op().name());
        keep.add(v.load().op().name());
      }
    }
    GraphDef all = g.toGraphDef();
    GraphDef.Builder b = all.toBuilder().clearNode();
    for (org.tensorflow.proto.NodeDef n : all.getNodeList()) {
      if (keep.contains(n.getName())) {
        b.addNode(n);
      }
    }
    return b.build();
  }

  /** How a kept variable is loaded: its value placeholder and assign op, by name. */
  record Load(String variable, Shape shape, String value, String assign) {}

  static Operand<?> out(Graph g, Map<String, String> outputs, String key) {
    return g.outputOrThrow(outputs.get(key));
  }

  private static Check verify(Path dir, int size, float[] held, float[][] reference,
      List<byte[]> encoded, float[] encodedPixels) throws IOException {
    int per = size * size * 3;
    int n = held.length / per;
    double maxDiff = 0;
    double bytesDiff = 0;
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
      float[][] got = logits(b, DEFAULT_SIGNATURE, "images", floats(held, n, size));
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < reference[i].length; c++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i][c] - reference[i][c]));
        }
      }
      if (!encoded.isEmpty()) {
        // the samples go as one batch, as a TF Serving request of several instances would
        int k = encoded.size();
        float[][] viaJava = logits(b, DEFAULT_SIGNATURE, "images",
            floats(Arrays.copyOf(encodedPixels, k * per), k, size));
        float[][] viaGraph = logits(b, BYTES_SIGNATURE, "image_bytes", TString.tensorOfBytes(
            org.tensorflow.ndarray.NdArrays.vectorOfObjects(encoded.toArray(byte[][]::new))));
        for (int i = 0; i < k; i++) {
          for (int c = 0; c < viaJava[i].length; c++) {
            bytesDiff = Math.max(bytesDiff, Math.abs(viaJava[i][c] - viaGraph[i][c]));
          }
        }
      }
    }
    long onDisk;
    try (var s = Files.walk(dir)) {
      onDisk = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    return new Check(n, maxDiff, encoded.size(), bytesDiff, onDisk);
  }

  static TFloat32 floats(float[] px, int n, int size) {
    return TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(px));
  }

  /** Calls a signature of the bundle; closes the input tensor. */
  static float[][] logits(SavedModelBundle b, String signature, String input, Tensor x) {
    try (x; Result r = b.function(signature).call(Map.of(input, x))) {
      return rows((TFloat32) r.get("logits").orElseThrow());
    }
  }

  /** A [n, c] tensor's rows. */
  static float[][] rows(TFloat32 t) {
    int n = (int) t.shape().get(0);
    int c = (int) t.shape().get(1);
    float[] flat = new float[n * c];
    t.asRawTensor().data().asFloats().read(flat);
    float[][] out = new float[n][c];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * c, out[i], 0, c);
    }
    return out;
  }

  /** The largest |a - b| over two equally shaped logit arrays. */
  static double maxAbsDiff(float[][] a, float[][] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      for (int c = 0; c < a[i].length; c++) {
        d = Math.max(d, Math.abs(a[i][c] - b[i][c]));
      }
    }
    return d;
  }

  /** The class names a SavedModel written here carries. */
  public static List<String> classNames(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("assets").resolve(CLASS_NAMES_ASSET))) {
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }

  /**
   * A SavedModel written here, opened for prediction: the float signature, its image size, the
   * class names and the preprocessing.
   */
  public record Served(SavedModelBundle bundle, int size, List<String> classNames,
      TransformConfig preprocess) implements AutoCloseable {
    /** Logits of preprocessed images [n, S, S, 3]. */
    public float[][] logits(float[] px, int n) {
      try {
        return ServingExport.logits(bundle, DEFAULT_SIGNATURE, "images", floats(px, n, size));
      } catch (org.tensorflow.exceptions.TensorFlowException e) {
        throw TfpeftException.usage("the SavedModel fails on its own signature ("
            + e.getMessage().lines().findFirst().orElse("") + "); export it again", e);
      }
    }

    @Override
    public void close() {
      bundle.close();
    }
  }

  /**
   * The SavedModel that {@code dir} names: itself when it holds saved_model.pb, else, for a TF
   * Serving model base ({@code export --version N}), its highest numbered version as TF Serving
   * serves it; null when it is neither.
   */
  public static Path savedModelIn(Path dir) {
    if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      return dir;
    }
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Path latest = null;
    long best = 0;
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.matches("[1-9][0-9]{0,17}") && Files.isRegularFile(p.resolve("saved_model.pb"))
            && Long.parseLong(name) > best) {
          best = Long.parseLong(name);
          latest = p;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return latest;
  }

  /** Opens {@code dir}; a SavedModel without our signature is a usage error naming it. */
  public static Served open(Path dir) {
    if (!Files.isRegularFile(dir.resolve("variables").resolve("variables.index"))) {
      throw TfpeftException.usage(dir + ": variables/variables.index is missing; the SavedModel "
          + "is incomplete, export it again");
    }
    SavedModelBundle b;
    try {
      b = SavedModelBundle.load(dir.toString(), "serve");
    } catch (RuntimeException e) {
      throw TfpeftException.usage(dir + ": cannot load as a SavedModel with tag serve: "
          + e.getMessage(), e);
    }
    try {
      var sig = b.metaGraphDef().getSignatureDefMap().get(DEFAULT_SIGNATURE);
      if (sig != null && sig.getInputsMap().containsKey(MultiAdapterExport.ADAPTER_INPUT)) {
        throw TfpeftException.usage(dir + " serves several adapters (signatures " + b
            .metaGraphDef().getSignatureDefMap().keySet() + "), chosen by the input '"
            + MultiAdapterExport.ADAPTER_INPUT + "': serve it with TF Serving, or predict with"
            + " one adapter's artifact (predict --adapter ART)");
      }
      if (sig == null || !sig.getInputsMap().containsKey("images")
          || !sig.getOutputsMap().containsKey("logits")) {
        throw TfpeftException.usage(dir + ": no signature " + DEFAULT_SIGNATURE + " taking "
            + "'images' and giving 'logits' (signatures: " + b.metaGraphDef()
            .getSignatureDefMap().keySet() + "); export it with tfpeft export");
      }
      var dims = sig.getInputsMap().get("images").getTensorShape().getDimList();
      if (dims.size() != 4 || dims.get(1).getSize() <= 0 || dims.get(1).getSize()
          != dims.get(2).getSize() || dims.get(3).getSize() != 3) {
        throw TfpeftException.usage(dir + ": the input 'images' is not [N, S, S, 3]");
      }
      Path pre = dir.resolve("assets").resolve(PREPROCESS_ASSET);
      TransformConfig.Builder t = TransformConfig.newBuilder();
      if (Files.isRegularFile(pre)) {
        com.google.protobuf.TextFormat.merge(Files.readString(pre), t);
      }
      Path names = dir.resolve("assets").resolve(CLASS_NAMES_ASSET);
      List<String> classes = Files.isRegularFile(names) ? classNames(dir) : List.of();
      return new Served(b, (int) dims.get(1).getSize(), classes, t.build());
    } catch (IOException | RuntimeException e) {
      b.close();
      if (e instanceof TfpeftException te) {
        throw te;
      }
      throw TfpeftException.usage(dir + ": unreadable assets: " + e.getMessage(), e);
    }
  }
}
