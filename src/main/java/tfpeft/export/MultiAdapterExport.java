package tfpeft.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;
import tfpeft.TfpeftException;
import tfpeft.config.proto.TransformConfig;
import tfpeft.util.AtomicFiles;

/**
 * Several adapter artifacts made on one base, served by one SavedModel (tag {@code serve}): the
 * frozen backbone's variables once, and beside them each adapter's own part of the graph and
 * its own variables (what it trained: low-rank factors, prompts, branches, a head, BitFit's
 * biases). Signatures:
 *
 * <ul>
 *   <li>one per adapter, keyed by its name: {@code images} [N, S, S, 3] in; {@code logits},
 *       {@code probabilities}, {@code class_id}, {@code class_name} out, as the adapter's own
 *       single export gives them;
 *   <li>{@code serving_default}: {@code images} and {@code adapter} (a string scalar naming
 *       one), the named adapter's outputs;
 *   <li>{@code serving_bytes}: {@code image_bytes} (encoded JPEG or PNG [N]) and {@code adapter},
 *       decoded and preprocessed in the graph as the single export's bytes signature does.
 * </ul>
 *
 * <p>The adapter is chosen by a switch, TensorFlow's Switch and Merge (a graph-mode cond): the
 * images go to the named adapter's part, the other parts receive no value and are not computed,
 * and an unknown name fails the request naming the adapters served. A gather over the adapters'
 * weights stacked along a new axis was the other way; it needs every adapter to have the same
 * method, sites, ranks and classes, which adapters trained for different tasks rarely share,
 * and would compute every adapter's head for every request.
 *
 * <p>Nothing is folded into the shared backbone: each adapter is served as it trained, its
 * method's hooks computing beside the frozen weights ({@link RunModel#unfoldedServingModel}):
 * LoRA's low-rank paths unmerged, a mask multiplying the shared weight, prompts inserted. So a
 * backbone variable is shared exactly when no adapter trained it; what an adapter trained in the
 * backbone itself is its own copy under its scope.
 */
public final class MultiAdapterExport {
  /** The input of {@code serving_default} and {@code serving_bytes} naming the adapter. */
  public static final String ADAPTER_INPUT = "adapter";
  /** The asset describing the adapters served (read by {@code tfpeft inspect}). */
  public static final String MANIFEST = "adapters.json";
  public static final String FORMAT = "tfpeft-multi-adapter-savedmodel-1";
  /** Each adapter's ops and own variables live under this scope and its name. */
  static final String SCOPE = "adapters/";
  private static final List<String> ENDS = List.of("logits", "probabilities", "class_id",
      "class_name");

  /** One adapter: its served graph, its values and the trained graph's logits of the held batch. */
  private record Part(String name, String origin, String method, List<String> classNames,
      ServingExport.Built built, Map<String, float[]> values, Set<String> own,
      float[][] reference) {
    String prefix() {
      return SCOPE + name + "/";
    }

    long ownBytes() {
      long b = 0;
      for (ServingExport.Load l : built.kept()) {
        if (own.contains(l.variable())) {
          b += 4 * l.shape().size();
        }
      }
      return b;
    }
  }

  /** The outcome of the check, and what went where. */
  public record Check(int images, Map<String, Double> maxAbsDiff, double byNameMaxAbsDiff,
      int encodedSamples, double bytesMaxAbsDiff, long bytesOnDisk, long sharedBytes,
      Map<String, Long> adapterBytes) {}

  private final int size;
  private final TransformConfig preprocess;
  private final List<Part> parts = new ArrayList<>();
  /** The shared backbone's values, from the first adapter that serves each variable. */
  private final Map<String, float[]> shared = new LinkedHashMap<>();

  /**
   * @param size the image size of the base
   * @param preprocess the preprocessing every adapter's images take (serving_bytes applies it)
   */
  public MultiAdapterExport(int size, TransformConfig preprocess) {
    this.size = size;
    this.preprocess = preprocess;
  }

  /**
   * The signature key an adapter is served under: its name with every character other than a
   * letter, digit or underscore made an underscore, and "a_" before a leading digit.
   */
  public static String signatureName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_]", "_");
    if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
      s = "a_" + s;
    }
    return s;
  }

  /**
   * Adds an adapter.
   *
   * @param name its signature key ({@link #signatureName})
   * @param origin where it came from, for messages and the manifest
   * @param model the adapter applied to its base
   * @param trained the variables the adapter stores (its artifact's tensors): its own, even those
   *     under backbone/
   * @param held preprocessed images [n, S, S, 3] the export is checked on
   */
  public void add(String name, String origin, RunModel model, Set<String> trained, float[] held,
      int n) {
    for (Part p : parts) {
      if (p.name().equals(name)) {
        throw TfpeftException.usage(origin + " and " + p.origin() + " would both be served as"
            + " signature " + name + "; rename one of the artifact directories");
      }
    }
    if (name.equals(ServingExport.DEFAULT_SIGNATURE) || name.equals(
        ServingExport.BYTES_SIGNATURE)) {
      throw TfpeftException.usage(origin + ": its name " + name + " is the signature that"
          + " takes the adapter's name; rename the artifact directory");
    }
    String method = tfpeft.peft.MethodRegistry.nameOf(model.config().getMethod().getMethodCase());
    float[][] reference = model.logits(held, n);
    ServingExport.Model served = model.unfoldedServingModel(preprocess);
    ServingExport.Built built = ServingExport.build(served, size);
    Map<String, float[]> values = new LinkedHashMap<>();
    Set<String> own = new HashSet<>();
    for (ServingExport.Load l : built.kept()) {
      float[] v = served.tensors().get(l.variable());
      if (v == null) {
        throw TfpeftException.failure("export: no value for " + l.variable());
      }
      boolean isOwn = !l.variable().startsWith("backbone/") || trained.contains(l.variable());
      if (isOwn) {
        own.add(l.variable());
        values.put(l.variable(), v);
      } else if (!shared.containsKey(l.variable())) {
        shared.put(l.variable(), v);
      } else if (!Arrays.equals(shared.get(l.variable()), v)) {
        // the bases' checksums were equal, and an adapter changes only what it trained
        throw TfpeftException.failure(origin + ": " + l.variable() + " differs from the other"
            + " adapters' though none of them trains it; the bases are not the same");
      }
    }
    parts.add(new Part(name, origin, method, model.classNames(), built, values, own,
        reference));
  }

  /**
   * Writes the SavedModel to {@code out} (all or nothing), checked first: every adapter's
   * signature and {@code serving_default} with its name must give the logits of its trained
   * graph on the held images within {@code tolerance}.
   *
   * @param held the images each adapter was added with, [n, S, S, 3]
   * @param encoded encoded images for the bytes-path check, {@code encodedPixels} their
   *     preprocessing by tfpeft's own pipeline
   */
  public Check write(Path out, float[] held, List<byte[]> encoded, float[] encodedPixels,
      double tolerance) {
    if (parts.size() < 2) {
      throw new IllegalStateException("a multi-adapter export has at least two adapters");
    }
    Path parent = out.toAbsolutePath().getParent();
    Path tmp = parent.resolve("." + out.getFileName() + ".export.tmp");
    try {
      Files.createDirectories(parent);
      AtomicFiles.deleteTree(tmp);
      try {
        writeSavedModel(tmp);
      } catch (RuntimeException e) {
        if (!e.getClass().getPackageName().equals("org.tensorflow.exceptions")) {
          throw e;
        }
        throw TfpeftException.failure("cannot write the SavedModel into " + parent + ": "
            + e.getMessage().lines().findFirst().orElse("") + "; free some space or choose"
            + " another --out (nothing was written to " + out + ")", e);
      }
      Check check = verify(tmp, held, encoded, encodedPixels);
      for (Map.Entry<String, Double> d : check.maxAbsDiff().entrySet()) {
        if (!(d.getValue() <= tolerance)) {
          throw TfpeftException.failure(String.format(Locale.ROOT, "adapter %s: the exported"
              + " model's logits differ from its trained graph's by %.3g (more than %.0e);"
              + " nothing was written to %s", d.getKey(), d.getValue(), tolerance, out));
        }
      }
      if (!(check.byNameMaxAbsDiff() <= tolerance)) {
        throw TfpeftException.failure(String.format(Locale.ROOT, "%s with the adapter's name"
            + " differs from the adapters' trained graphs by %.3g (more than %.0e); nothing was"
            + " written to %s", ServingExport.DEFAULT_SIGNATURE, check.byNameMaxAbsDiff(),
            tolerance, out));
      }
      AtomicFiles.replaceDirectory(tmp, out);
      return check;
    } catch (IOException e) {
      throw TfpeftException.failure("cannot export to " + out + ": " + e.getMessage(), e);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  private void writeSavedModel(Path dir) throws IOException {
    GraphDef combined = combinedGraph();
    try (Graph g = new Graph()) {
      g.importGraphDef(combined);
      Ops tf = Ops.create(g);
      Map<String, Operand<?>> merged = new LinkedHashMap<>();
      for (String key : ENDS) {
        List<Operand<TType>> ins = new ArrayList<>();
        for (Part p : parts) {
          ins.add(typed(g.outputOrThrow(p.prefix() + p.built().outputs().get(key))));
        }
        merged.put(key, tf.withName(key).merge(ins).output());
      }
      try (Session s = new Session(g)) {
        Set<String> loaded = new HashSet<>();
        for (Part p : parts) {
          for (ServingExport.Load l : p.built().kept()) {
            boolean own = p.own().contains(l.variable());
            if (!own && !loaded.add(l.variable())) {
              continue;
            }
            String prefix = own ? p.prefix() : "";
            float[] values = own ? p.values().get(l.variable()) : shared.get(l.variable());
            try (TFloat32 t = TFloat32.tensorOf(l.shape(), DataBuffers.of(values, true,
                false))) {
              s.runner().feed(prefix + l.value(), t).addTarget(prefix + l.assign()).run();
            }
          }
        }
        List<Signature> signatures = new ArrayList<>();
        for (Part p : parts) {
          Signature.Builder b = Signature.builder().key(p.name())
              .methodName("tensorflow/serving/predict")
              .input("images", g.outputOrThrow(p.prefix() + p.built().outputs().get("images")));
          for (String key : ENDS) {
            b.output(key, g.outputOrThrow(p.prefix() + p.built().outputs().get(key)));
          }
          signatures.add(b.build());
        }
        for (String[] in : new String[][] {{ServingExport.DEFAULT_SIGNATURE, "images"},
            {ServingExport.BYTES_SIGNATURE, "image_bytes"}}) {
          Signature.Builder b = Signature.builder().key(in[0])
              .methodName("tensorflow/serving/predict")
              .input(in[1], g.outputOrThrow(in[1] + ":0"))
              .input(ADAPTER_INPUT, g.outputOrThrow(ADAPTER_INPUT + ":0"));
          merged.forEach(b::output);
          signatures.add(b.build());
        }
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignatures(signatures.toArray(Signature[]::new)).export();
      }
    }
    Path assets = Files.createDirectories(dir.resolve("assets"));
    Files.writeString(assets.resolve(ServingExport.PREPROCESS_ASSET),
        "# the preprocessing the images inputs expect\n"
        + com.google.protobuf.TextFormat.printer().printToString(preprocess));
    Files.writeString(assets.resolve(MANIFEST), new GsonBuilder().setPrettyPrinting().create()
        .toJson(manifest()) + "\n", StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TType> typed(org.tensorflow.Output<?> o) {
    return (Operand<TType>) (Operand<?>) o;
  }

  private JsonObject manifest() {
    JsonObject m = new JsonObject();
    m.addProperty("format", FORMAT);
    m.addProperty("adapter_input", ADAPTER_INPUT);
    m.addProperty("shared_bytes", sharedBytes());
    JsonArray list = new JsonArray();
    for (Part p : parts) {
      JsonObject a = new JsonObject();
      a.addProperty("signature", p.name());
      a.addProperty("origin", p.origin());
      a.addProperty("method", p.method());
      a.addProperty("own_bytes", p.ownBytes());
      JsonArray classes = new JsonArray();
      p.classNames().forEach(classes::add);
      a.add("class_names", classes);
      list.add(a);
    }
    m.add("adapters", list);
    return m;
  }

  private long sharedBytes() {
    long b = 0;
    for (float[] v : shared.values()) {
      b += 4L * v.length;
    }
    return b;
  }

  /**
   * One graph: the inputs and the switch, the shared variables once, and each adapter's served
   * graph under its scope with its images taken from its branch of the switch.
   */
  private GraphDef combinedGraph() {
    GraphDef route = routeGraph();
    GraphDef.Builder all = GraphDef.newBuilder().setVersions(route.getVersions());
    all.addAllNode(route.getNodeList());
    Map<String, FunctionDef> functions = new LinkedHashMap<>();
    FunctionDefLibrary.Builder library = FunctionDefLibrary.newBuilder();
    addLibrary(route, functions, library);
    Set<String> sharedAdded = new HashSet<>();
    for (Part p : parts) {
      ServingExport.Built b = p.built();
      addLibrary(b.graph(), functions, library);
      Set<String> sharedOps = new HashSet<>();
      Set<String> roots = new HashSet<>();
      for (String key : ENDS) {
        roots.add(b.op(key));
      }
      for (ServingExport.Load l : b.kept()) {
        if (p.own().contains(l.variable())) {
          roots.add(l.assign());
          roots.add(l.value());
        } else {
          sharedOps.addAll(List.of(l.variable(), l.value(), l.assign()));
        }
      }
      String images = b.op("images");
      Set<String> needed = reachable(b.graph(), roots, images);
      UnaryOperator<String> rename = op -> sharedOps.contains(op) ? op : p.prefix() + op;
      for (NodeDef n : b.graph().getNodeList()) {
        if (sharedOps.contains(n.getName())) {
          if (sharedAdded.add(n.getName())) {
            all.addNode(n);
          }
          continue;
        }
        if (!needed.contains(n.getName())) {
          continue;
        }
        NodeDef.Builder nb = n.toBuilder().setName(rename.apply(n.getName())).clearInput();
        if (n.getName().equals(images)) {
          // the adapter's images: fed directly through its own signature, else the switch's
          // branch for its name (the default of the placeholder)
          nb.addInput("route/" + p.name() + ":1");
        } else {
          for (String in : n.getInputList()) {
            nb.addInput(renameInput(in, rename));
          }
        }
        AttrValue colocation = n.getAttrMap().get("_class");
        if (colocation != null) {
          AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
          for (com.google.protobuf.ByteString loc : colocation.getList().getSList()) {
            String s = loc.toStringUtf8();
            l.addS(com.google.protobuf.ByteString.copyFromUtf8(s.startsWith("loc:@")
                ? "loc:@" + rename.apply(s.substring(5)) : s));
          }
          nb.putAttr("_class", AttrValue.newBuilder().setList(l).build());
        }
        all.addNode(nb);
      }
    }
    if (!functions.isEmpty()) {
      all.setLibrary(library);
    }
    return all.build();
  }

  private static void addLibrary(GraphDef g, Map<String, FunctionDef> functions,
      FunctionDefLibrary.Builder library) {
    for (FunctionDef f : g.getLibrary().getFunctionList()) {
      if (functions.putIfAbsent(f.getSignature().getName(), f) == null) {
        library.addFunction(f);
      }
    }
    for (var grad : g.getLibrary().getGradientList()) {
      if (library.getGradientList().stream().noneMatch(x -> x.getFunctionName().equals(
          grad.getFunctionName()))) {
        library.addGradient(grad);
      }
    }
  }

  /** Nodes of {@code g} that {@code roots} depend on, not looking past {@code stop}. */
  private static Set<String> reachable(GraphDef g, Set<String> roots, String stop) {
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    for (NodeDef n : g.getNodeList()) {
      byName.put(n.getName(), n);
    }
    Set<String> seen = new HashSet<>(roots);
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = byName.get(name);
      if (n == null || name.equals(stop)) {
        continue;
      }
      for (String in : n.getInputList()) {
        String op = opOf(in);
        if (seen.add(op)) {
          todo.push(op);
        }
      }
    }
    return seen;
  }

  private static String opOf(String input) {
    String body = input.startsWith("^") ? input.substring(1) : input;
    int colon = body.lastIndexOf(':');
    return colon < 0 ? body : body.substring(0, colon);
  }

  private static String renameInput(String input, UnaryOperator<String> rename) {
    boolean control = input.startsWith("^");
    String body = control ? input.substring(1) : input;
    int colon = body.lastIndexOf(':');
    String op = colon < 0 ? body : body.substring(0, colon);
    return (control ? "^" : "") + rename.apply(op) + (colon < 0 ? "" : body.substring(colon));
  }

  /**
   * The shared inputs and the switch: {@code image_bytes} decoded into the default of
   * {@code images}, {@code adapter}, an assertion that it names an adapter served, and per
   * adapter a Switch whose true branch carries the images to it.
   */
  private GraphDef routeGraph() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TString> bytes = tf.withName("image_bytes").placeholder(TString.class,
          Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> fromBytes = GraphPreprocess.applyBatch(tf.withSubScope("preprocess"),
          bytes, preprocess, size);
      Operand<TFloat32> images = tf.withName("images").placeholderWithDefault(fromBytes,
          Shape.of(-1, size, size, 3));
      Placeholder<TString> adapter = tf.withName(ADAPTER_INPUT).placeholder(TString.class,
          Placeholder.shape(Shape.scalar()));
      Ops route = tf.withSubScope("route");
      String[] names = parts.stream().map(Part::name).toArray(String[]::new);
      Operand<TBool> known = route.reduceAny(route.math.equal(adapter,
          route.constant(StandardCharsets.UTF_8, names)), route.constant(0));
      var check = route.withName("check").assertThat(known, List.of(
          route.constant("unknown adapter name:"), adapter,
          route.constant("; this SavedModel serves " + String.join(", ", names))));
      Operand<TFloat32> routed = route.withControlDependencies(List.of(check))
          .withName("images").identity(images);
      for (String name : names) {
        route.withName(name).switchCond(routed, route.math.equal(adapter,
            route.constant(name)));
      }
      return g.toGraphDef();
    }
  }

  private Check verify(Path dir, float[] held, List<byte[]> encoded, float[] encodedPixels)
      throws IOException {
    int per = size * size * 3;
    int n = held.length / per;
    Map<String, Double> diffs = new LinkedHashMap<>();
    double byName = 0;
    double bytesDiff = 0;
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
      for (Part p : parts) {
        float[][] own = ServingExport.logits(b, p.name(), "images",
            ServingExport.floats(held, n, size));
        float[][] named = call(b, ServingExport.DEFAULT_SIGNATURE, "images",
            ServingExport.floats(held, n, size), p.name());
        diffs.put(p.name(), ServingExport.maxAbsDiff(own, p.reference()));
        byName = Math.max(byName, ServingExport.maxAbsDiff(named, p.reference()));
      }
      if (!encoded.isEmpty()) {
        int k = encoded.size();
        String first = parts.get(0).name();
        float[][] viaJava = call(b, ServingExport.DEFAULT_SIGNATURE, "images",
            ServingExport.floats(Arrays.copyOf(encodedPixels, k * per), k, size), first);
        float[][] viaGraph = call(b, ServingExport.BYTES_SIGNATURE, "image_bytes",
            TString.tensorOfBytes(NdArrays.vectorOfObjects(encoded.toArray(byte[][]::new))),
            first);
        bytesDiff = ServingExport.maxAbsDiff(viaGraph, viaJava);
      }
    }
    long onDisk;
    try (var s = Files.walk(dir)) {
      onDisk = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    Map<String, Long> own = new LinkedHashMap<>();
    for (Part p : parts) {
      own.put(p.name(), p.ownBytes());
    }
    return new Check(n, diffs, byName, encoded.size(), bytesDiff, onDisk, sharedBytes(), own);
  }

  /** Logits of a signature taking images (or bytes) and the adapter's name. */
  static float[][] call(SavedModelBundle b, String signature, String input, Tensor x,
      String adapter) {
    try (x; TString name = TString.scalarOf(adapter);
        Result r = b.function(signature).call(Map.of(input, x, ADAPTER_INPUT, name))) {
      return ServingExport.rows((TFloat32) r.get("logits").orElseThrow());
    }
  }
}
