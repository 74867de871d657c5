package tfpeft.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.Version;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BaseIdentity;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.StoredTensor;
import tfpeft.train.RunSession;
import tfpeft.util.AtomicFiles;

/**
 * What a run trained, apart from the base model it trained on: a directory of three files.
 *
 * <ul>
 *   <li>{@code manifest.json}: the format ({@value #FORMAT}), the tool version, the base identity
 *       ({@link BaseIdentity}: name, weights path, SHA-256 of the frozen backbone), the method,
 *       the class names and CLIP templates, the method state (Pear's plan), each tensor's
 *       variable name, role, encoding and true shape, and the stored sizes;
 *   <li>{@code config.pbtxt}: the run's resolved config; its {@code method} is what a run started
 *       from the artifact must match, its {@code model} the architecture and weights of the base;
 *   <li>{@code adapter.safetensors}: the trainable state only ({@link ArtifactTensor}): adapters
 *       (1-bit ones as packed bits plus float32 mean and std) or the backbone variables a method
 *       trains (biases, which replace the base's values when applied), the head, prompts and
 *       injection weights in float32, masks as packed bits.
 * </ul>
 *
 * <p>{@link #apply} puts the artifact into a model built from its config on the base, so that it
 * computes what the trained run computed.
 */
public final class AdapterArtifact {
  public static final String FORMAT = "tfpeft-adapter-artifact-1";
  public static final String MANIFEST = "manifest.json";
  public static final String CONFIG = "config.pbtxt";
  public static final String TENSORS = "adapter.safetensors";

  private final RunConfig config;
  private final BaseIdentity base;
  private final String toolVersion;
  private final List<String> classNames;
  private final List<String> templates;
  private final JsonObject methodState;
  private final JsonObject source;
  private final List<ArtifactTensor> tensors;

  public AdapterArtifact(RunConfig config, BaseIdentity base, String toolVersion,
      List<String> classNames, List<String> templates, JsonObject methodState, JsonObject source,
      List<ArtifactTensor> tensors) {
    this.config = config;
    this.base = base;
    this.toolVersion = toolVersion;
    this.classNames = List.copyOf(classNames);
    this.templates = List.copyOf(templates);
    this.methodState = methodState == null ? new JsonObject() : methodState;
    this.source = source == null ? new JsonObject() : source;
    this.tensors = List.copyOf(tensors);
  }

  // ---- making ------------------------------------------------------------------------------

  /**
   * The trainable variables of {@code m} (a run opened with its base identified and its
   * checkpoint restored) as an artifact.
   *
   * @param methodState the checkpoint's method state (restored into {@code m} already)
   * @param source where it came from (run directory, checkpoint), for the manifest
   */
  public static AdapterArtifact of(RunSession m, JsonObject methodState, JsonObject source) {
    RunConfig c = m.config();
    Method method = m.method();
    refuseUnsupported(method);
    List<ArtifactTensor> out = new ArrayList<>();
    // what trains is what the method stores, backbone variables included (its biases);
    // a method whose trained state is no artifact (full fine-tuning) refused above
    VariableValues.readEach(m.session(), m.graph().trainable(), (v, values) -> out.add(
        tensor(v.name(), v.shape().asArray(), values, method.stored(v.name()))));
    if (out.isEmpty()) {
      throw TfpeftException.usage("method." + method.name()
          + " trained nothing; there is no adapter artifact to write");
    }
    return new AdapterArtifact(c, BaseIdentity.of(c, m.base()), Version.get(), m.classNames(),
        m.templates(), methodState, source, out);
  }

  /** Fails (exit 2) with the method's reason when an artifact cannot hold its run. */
  static void refuseUnsupported(Method method) {
    method.artifactRefusal().ifPresent(why -> {
      throw TfpeftException.usage("method." + method.name() + " " + why
          + " (an adapter artifact holds what a method trains on a frozen base)");
    });
  }

  /** A trained variable's values as the method says the artifact stores them. */
  static ArtifactTensor tensor(String name, long[] shape, float[] values, StoredTensor how) {
    String role = how.role().key();
    return switch (how.precision()) {
      case MASK_BITS -> ArtifactTensor.mask(name, shape, values, how.maskThreshold());
      case ONE_BIT -> ArtifactTensor.bits1(name, shape, role, values);
      case FLOAT32 -> ArtifactTensor.float32(name, shape, role, values);
    };
  }

  // ---- what it holds -----------------------------------------------------------------------

  public RunConfig config() {
    return config;
  }

  public MethodConfig method() {
    return config.getMethod();
  }

  public String methodName() {
    return MethodConfigDiff.name(config.getMethod());
  }

  public BaseIdentity base() {
    return base;
  }

  public String toolVersion() {
    return toolVersion;
  }

  public List<String> classNames() {
    return classNames;
  }

  public List<String> templates() {
    return templates;
  }

  /** The method state to restore before the training step is built (Pear's plan). */
  public JsonObject methodState() {
    return methodState.deepCopy();
  }

  public JsonObject source() {
    return source;
  }

  public List<ArtifactTensor> tensors() {
    return tensors;
  }

  /** Stored bytes of the tensors with {@code role}. */
  public long bytes(String role) {
    return tensors.stream().filter(t -> t.role().equals(role))
        .mapToLong(ArtifactTensor::storedBytes).sum();
  }

  /** Adapter weights only, as Pear's Table I and {@link AdapterAccounting} count them. */
  public long adapterWeightBytes() {
    return bytes("adapter");
  }

  /** Stored bytes of every tensor (the data of the safetensors file). */
  public long tensorBytes() {
    return tensors.stream().mapToLong(ArtifactTensor::storedBytes).sum();
  }

  /** The storage accounting of the artifact's method on its base, null for non-adapter methods. */
  public AdapterAccounting accounting() {
    return AdapterAccounting.of(config.getMethod(), config.getModel(), methodState);
  }

  // ---- checks ------------------------------------------------------------------------------

  /** Fails (exit 2) unless {@code run} configures the artifact's method identically. */
  public void checkMethod(MethodConfig run, Path artifact) {
    MethodConfigDiff.Difference d = MethodConfigDiff.first(config.getMethod(), run);
    if (d == null) {
      return;
    }
    if (d.field().equals("method")) {
      throw TfpeftException.usage(artifact + ": the artifact holds method " + d.left()
          + " but the config's method is " + d.right() + "; use a config of the run that made"
          + " the artifact");
    }
    throw TfpeftException.usage(artifact + ": the config's " + d.field() + " is " + d.right()
        + " but the artifact was trained with " + d.left() + "; set " + d.field() + " to "
        + d.left() + " (or --set " + d.field() + "=" + d.left() + ")");
  }

  /** Fails (exit 2) unless {@code run} is the base the artifact was trained on. */
  public void checkBase(BaseIdentity run, Path artifact) {
    checkBase(run, artifact, "set model.weights to the artifact's base (" + baseWhere() + ")");
  }

  private void checkBase(BaseIdentity run, Path artifact, String remedy) {
    // a Hugging Face PEFT adapter records no checksum of its base (PeftArtifact): its tensors'
    // shapes are what it is checked by
    if (base.sha256().isEmpty() || base.sameWeights(run)) {
      return;
    }
    throw TfpeftException.usage(artifact + ": made for base " + base.describe()
        + ", but the model's weights are " + run.describe() + (run.weights().isEmpty() ? ""
            : " from " + run.weights()) + "; " + remedy);
  }

  private String baseWhere() {
    return base.weights().isEmpty() ? "its random initialization, seed in the artifact's "
        + CONFIG : base.weights();
  }

  /**
   * Fails unless the artifact holds exactly the variables in {@code trainable}: every one has a
   * value, and nothing else is there, since a tensor beyond them would overwrite the checked
   * base (an artifact may hold backbone variables, a method's trained biases).
   */
  public void checkCovers(List<ModelVariable> trainable, Path artifact) {
    Set<String> have = new HashSet<>();
    tensors.forEach(t -> have.add(t.name()));
    Set<String> trains = new HashSet<>();
    for (ModelVariable v : trainable) {
      trains.add(v.name());
      if (!have.contains(v.name())) {
        throw TfpeftException.usage(artifact + ": no value for " + v.name() + ", which the "
            + "model trains; the artifact is incomplete or for another method config");
      }
    }
    for (ArtifactTensor t : tensors) {
      if (!trains.contains(t.name())) {
        throw TfpeftException.usage(artifact + ": holds " + t.name() + ", which method."
            + MethodRegistry.nameOf(config.getMethod().getMethodCase()) + " does not train"
            + " here; the artifact was edited or is for another method config, export it again");
      }
    }
  }

  // ---- applying ----------------------------------------------------------------------------

  /**
   * Assigns the artifact to a model built from its config on its base: each tensor to its
   * variable (1-bit matrices as a latent the quantizer maps back to the stored bits, mean and std;
   * masks as values on the right side of the threshold), and Pear's routing from the plan.
   */
  public void apply(Session s, Net net, Path artifact) {
    Method method = MethodRegistry.builtIn().create(config.getMethod());
    List<ModelVariable> assigned = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    for (ArtifactTensor t : tensors) {
      ModelVariable v;
      try {
        v = net.variable(t.name());
      } catch (IllegalArgumentException e) {
        throw TfpeftException.usage(artifact + ": the model has no variable " + t.name()
            + "; the artifact is for another method config or architecture", e);
      }
      if (!Arrays.equals(v.shape().asArray(), t.shape())) {
        throw TfpeftException.usage(artifact + ": " + t.name() + " is "
            + NamedTensor.formatShape(t.shape()) + " in the artifact but " + v.shape()
            + " in the model" + (t.role().equals("head") ? " (the artifact's head is for its "
                + classNames.size() + " classes)" : ""));
      }
      assigned.add(v);
      values.add(t.variableValues(method.stored(t.name())));
    }
    VariableValues.assignAll(s, assigned, values);
    method.applyArtifactState(s, net, methodState, artifact + " (" + MANIFEST
        + ") method_state");
  }

  /**
   * The artifact's model on its base: the run opened from its config (with {@code weights} as
   * model.weights.path when given), its classes and templates, the base checked, the artifact
   * applied and the method prepared. The caller closes it.
   */
  public RunSession openOnBase(String weights, MethodRegistry registry, Consumer<String> log,
      Path artifact) {
    RunConfig c = config;
    if (weights != null) {
      RunConfig.Builder b = c.toBuilder();
      b.getModelBuilder().getWeightsBuilder().setPath(weights);
      c = b.build();
    } else if (!base.weights().isEmpty() && !java.nio.file.Files.exists(Path.of(base.weights()))) {
      throw TfpeftException.usage(artifact + ": its base, " + base.describe() + ", is not at "
          + Path.of(base.weights()).toAbsolutePath().normalize() + "; pass --weights PATH with"
          + " a copy of that base (its SHA-256 is checked)");
    }
    RunSession m = RunSession.opener(c, registry).classes(classNames, templates)
        .methodState(methodState()).identifyBase().log(log).open();
    try {
      checkBase(BaseIdentity.of(m.config(), m.base()), artifact, weights == null
          ? "the artifact's base (" + baseWhere() + ") has changed since it was exported; give"
              + " a copy of the original base with --weights"
          : "give --weights a copy of the artifact's base (" + baseWhere() + "), or leave"
              + " --weights out to use that path");
      checkCovers(m.graph().trainable(), artifact);
      apply(m.session(), m.net(), artifact);
      m.dropClassFeatures();
      m.prepare(true);
      return m;
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  // ---- files -------------------------------------------------------------------------------

  public JsonObject manifest() {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("tool_version", toolVersion);
    o.add("base", base.json());
    o.addProperty("method", methodName());
    o.add("source", source);
    JsonArray names = new JsonArray();
    classNames.forEach(names::add);
    o.add("class_names", names);
    JsonArray tpl = new JsonArray();
    templates.forEach(tpl::add);
    o.add("templates", tpl);
    o.add("method_state", methodState);
    JsonArray ts = new JsonArray();
    for (ArtifactTensor t : tensors) {
      JsonObject j = new JsonObject();
      j.addProperty("name", t.name());
      j.addProperty("role", t.role());
      j.addProperty("encoding", t.encoding().key());
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      j.add("shape", shape);
      j.addProperty("stored_bytes", t.storedBytes());
      ts.add(j);
    }
    o.add("tensors", ts);
    JsonObject storage = new JsonObject();
    storage.addProperty("adapter_weight_bytes", adapterWeightBytes());
    AdapterAccounting acc = accounting();
    if (acc != null) {
      storage.addProperty("accounting_bytes", acc.storedBytes());
    }
    for (String role : List.of("head", "mask", "prompt", "injection")) {
      long b = bytes(role);
      if (b > 0) {
        storage.addProperty(role + "_bytes", b);
      }
    }
    storage.addProperty("tensor_bytes", tensorBytes());
    o.add("storage", storage);
    return o;
  }

  /** Writes the artifact directory {@code out}; it appears complete or not at all. */
  public void write(Path out) {
    Path parent = out.toAbsolutePath().getParent();
    Path tmp = parent.resolve("." + out.getFileName() + ".artifact.tmp");
    try {
      Files.createDirectories(parent);
      AtomicFiles.deleteTree(tmp);
      Files.createDirectories(tmp);
      AtomicFiles.write(tmp.resolve(TENSORS), ArtifactFile.encode(tensors,
          Map.of("format", FORMAT)));
      AtomicFiles.writeString(tmp.resolve(CONFIG), "# The resolved config of the run this adapter"
          + " artifact comes from.\n" + TextFormat.printer().printToString(config));
      JsonObject manifest = manifest();
      manifest.add("files", fileDigests(tmp));
      AtomicFiles.writeString(tmp.resolve(MANIFEST), new GsonBuilder().setPrettyPrinting()
          .disableHtmlEscaping().create().toJson(manifest) + "\n");
      AtomicFiles.replaceDirectory(tmp, out);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write the adapter artifact " + out + ": "
          + e.getMessage(), e);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  /** The files the manifest vouches for, by SHA-256 (the manifest cannot hold its own). */
  private static final List<String> DIGESTED = List.of(CONFIG, TENSORS);

  private static JsonObject fileDigests(Path dir) throws IOException {
    JsonObject files = new JsonObject();
    for (String f : DIGESTED) {
      files.addProperty(f, tfpeft.util.FileDigests.sha256(dir.resolve(f)));
    }
    return files;
  }

  /**
   * Fails unless each file has the SHA-256 the manifest records: a flipped bit in the tensors
   * would otherwise be served as trained weights.
   */
  private static void checkDigests(Path dir, JsonObject manifest, Path manifestFile) {
    if (!manifest.has("files") || !manifest.get("files").isJsonObject()) {
      throw TfpeftException.usage(manifestFile + ": records no SHA-256 of the artifact's files"
          + " (\"files\"), so they cannot be checked; export the artifact again");
    }
    JsonObject files = manifest.getAsJsonObject("files");
    for (String f : DIGESTED) {
      Path file = dir.resolve(f);
      if (!Files.isRegularFile(file)) {
        throw TfpeftException.usage(file + ": missing; the artifact is incomplete, export it"
            + " again");
      }
      String want = files.has(f) ? files.get(f).getAsString() : "(none)";
      String got;
      try {
        got = tfpeft.util.FileDigests.sha256(file);
      } catch (IOException e) {
        throw TfpeftException.usage(file + ": cannot read (" + e.getMessage() + ")", e);
      }
      if (!got.equals(want)) {
        throw TfpeftException.usage(file + ": its SHA-256 is " + got + " but " + MANIFEST
            + " records " + want + "; the file was damaged or changed after export, export the"
            + " artifact again");
      }
    }
  }

  /** Bytes of the artifact's files on disk. */
  public static long sizeOnDisk(Path dir) {
    long n = 0;
    for (String f : List.of(MANIFEST, CONFIG, TENSORS)) {
      n += dir.resolve(f).toFile().length();
    }
    return n;
  }

  /** Whether {@code path} looks like an artifact directory (it has a manifest). */
  public static boolean isArtifact(Path path) {
    return Files.isDirectory(path) && Files.isRegularFile(path.resolve(MANIFEST))
        && Files.isRegularFile(path.resolve(TENSORS));
  }

  /** Reads and checks an artifact directory; every defect is a usage error naming the file. */
  public static AdapterArtifact read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw TfpeftException.usage(dir + ": no such adapter artifact directory; write one with"
          + " tfpeft export RUN_DIR --adapter " + dir);
    }
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw TfpeftException.usage(dir + ": not an adapter artifact (no " + MANIFEST + ")");
    }
    JsonObject m;
    try {
      JsonElement e = JsonParser.parseString(Files.readString(manifestFile,
          StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new JsonParseException("not an object");
      }
      m = e.getAsJsonObject();
    } catch (IOException | JsonParseException e) {
      throw TfpeftException.usage(manifestFile + ": not a readable JSON manifest ("
          + e.getMessage() + "); the artifact is damaged, export it again", e);
    }
    String format = m.has("format") ? m.get("format").getAsString() : "(none)";
    if (!FORMAT.equals(format)) {
      throw TfpeftException.usage(manifestFile + ": format '" + format + "', but this build"
          + " (" + Version.get() + ") reads '" + FORMAT + "'; export the artifact again with"
          + " this version");
    }
    try {
      RunConfig.Builder cb = RunConfig.newBuilder();
      try {
        TextFormat.merge(Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8), cb);
      } catch (IOException e) {
        throw TfpeftException.usage(dir.resolve(CONFIG) + ": cannot read the artifact's config ("
            + e.getMessage() + "); the artifact is damaged, export it again", e);
      }
      List<String> classes = strings(m.getAsJsonArray("class_names"));
      List<String> tpl = m.has("templates") ? strings(m.getAsJsonArray("templates"))
          : List.of();
      JsonObject state = m.has("method_state") ? m.getAsJsonObject("method_state")
          : new JsonObject();
      Map<String, String> meta = new LinkedHashMap<>();
      Path file = dir.resolve(TENSORS);
      if (!Files.isRegularFile(file)) {
        throw TfpeftException.usage(file + ": missing; the artifact is incomplete, export it"
            + " again");
      }
      Map<String, byte[]> raw = ArtifactFile.read(file, meta);
      if (!FORMAT.equals(meta.get("format"))) {
        throw TfpeftException.usage(file + ": metadata format '" + meta.get("format")
            + "', expected '" + FORMAT + "'; not this artifact's tensors");
      }
      // after the structural checks (which name a truncation precisely), before any value is
      // used: whatever still differs from the export is damage
      checkDigests(dir, m, manifestFile);
      List<ArtifactTensor> tensors = new ArrayList<>();
      for (JsonElement el : m.getAsJsonArray("tensors")) {
        tensors.add(tensor(el.getAsJsonObject(), raw, file));
      }
      BaseIdentity base = BaseIdentity.fromJson(m.getAsJsonObject("base"));
      if (base.sha256().isEmpty()) {
        // only a PEFT adapter (PeftArtifact) goes without one; a tfpeft artifact always has it
        throw TfpeftException.usage(manifestFile + ": records no SHA-256 of its base"
            + " (base.sha256), so the base cannot be checked; export the artifact again");
      }
      return new AdapterArtifact(cb.build(), base,
          m.get("tool_version").getAsString(), classes, tpl, state,
          m.has("source") ? m.getAsJsonObject("source") : new JsonObject(), tensors);
    } catch (RuntimeException e) {
      if (e instanceof TfpeftException) {
        throw e;
      }
      throw TfpeftException.usage(manifestFile + ": incomplete manifest (" + e + "); the"
          + " artifact is damaged, export it again", e);
    }
  }

  private static ArtifactTensor tensor(JsonObject j, Map<String, byte[]> raw, Path file) {
    String name = j.get("name").getAsString();
    ArtifactTensor.Encoding enc = ArtifactTensor.Encoding.ofKey(j.get("encoding").getAsString());
    JsonArray s = j.getAsJsonArray("shape");
    long[] shape = new long[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsLong();
    }
    byte[] data = raw.get(name);
    if (data == null) {
      throw TfpeftException.usage(file + ": no tensor '" + name + "' (the manifest lists it);"
          + " the artifact is damaged, export it again");
    }
    float mean = 0;
    float std = 0;
    if (enc == ArtifactTensor.Encoding.BITS1) {
      byte[] ms = raw.get(name + ArtifactTensor.MEAN_STD);
      if (ms == null || ms.length != 8) {
        throw TfpeftException.usage(file + ": the 1-bit matrix '" + name + "' has no "
            + ArtifactTensor.MEAN_STD + " [2]; the artifact is damaged, export it again");
      }
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ms).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      mean = b.getFloat();
      std = b.getFloat();
    }
    ArtifactTensor t = new ArtifactTensor(name, shape, enc, j.get("role").getAsString(), data,
        mean, std);
    if (data.length != t.expectedDataBytes()) {
      throw TfpeftException.usage(file + ": tensor '" + name + "' has " + data.length
          + " bytes, its shape " + NamedTensor.formatShape(shape) + " as " + enc.key()
          + " needs " + t.expectedDataBytes() + "; the artifact is damaged, export it again");
    }
    float[] values = t.effective();
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw TfpeftException.usage(file + ": tensor '" + name + "' holds " + values[i]
            + " at index " + i + " of " + values.length + "; the run that made it diverged"
            + " (or the file was edited): export the artifact from a good checkpoint");
      }
    }
    return t;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }
}
