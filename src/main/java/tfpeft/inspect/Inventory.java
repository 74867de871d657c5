package tfpeft.inspect;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.tensorflow.proto.SavedModel;
import tfpeft.TfpeftException;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.ArtifactTensor;
import tfpeft.model.BaseIdentity;
import tfpeft.train.RunDirectory;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.SafetensorsHeader;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.model.weights.WeightFiles;

/**
 * What a saved artifact holds, read from its headers and indexes without loading a model: the
 * tensors with dtypes, shapes and stored bytes, plus facts about the container (its kind, the
 * architecture of a backbone directory, the signatures of a SavedModel).
 *
 * @param kind "checkpoint", "run" (a run directory: its last checkpoint), "adapter artifact",
 *     "backbone", "safetensors", "npz" or "savedmodel"
 * @param tensors in the container's order
 * @param facts labelled lines shown before the tensors (insertion order)
 */
public record Inventory(String kind, Path path, List<TensorInfo> tensors,
    Map<String, String> facts, Values values) {

  /** One stored tensor. */
  public record TensorInfo(String name, String dtype, long[] shape, long bytes) {
    public long elements() {
      return NamedTensor.elementCount(shape);
    }
  }

  /** Reads the values of some tensors as floats (for diffs); null when the kind has none. */
  public interface Values {
    TensorFile read(Predicate<String> include);
  }

  /** The inventory of {@code path}: a checkpoint, backbone, weight file or SavedModel. */
  public static Inventory of(Path path) {
    if (!Files.exists(path) && !TensorBundleReader.isCheckpoint(path)) {
      throw TfpeftException.usage(path + ": no such file, directory or checkpoint prefix");
    }
    Path savedModel = tfpeft.export.ServingExport.savedModelIn(path);
    if (savedModel != null) {
      return savedModel(savedModel);
    }
    if (Files.isRegularFile(path.resolve(AdapterArtifact.MANIFEST))) {
      return artifact(path);
    }
    if (Files.isRegularFile(path.resolve(RunDirectory.CONFIG))
        && Files.isDirectory(path.resolve(RunDirectory.CHECKPOINTS))) {
      return run(path);
    }
    if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("model.pbtxt"))
        && Files.isRegularFile(path.resolve("weights.safetensors"))) {
      Inventory w = safetensors(path.resolve("weights.safetensors"), "backbone", path);
      try {
        String arch = Files.readString(path.resolve("model.pbtxt")).lines()
            .filter(l -> !l.startsWith("#")).map(String::strip)
            .reduce((a, b) -> a + " " + b).orElse("");
        w.facts().put("architecture", arch);
      } catch (IOException e) {
        throw TfpeftException.failure("cannot read " + path.resolve("model.pbtxt"), e);
      }
      return w;
    }
    Path checkpoint = checkpointIn(path);
    if (checkpoint != null) {
      Inventory inv = checkpoint(checkpoint, "checkpoint", path);
      Path dir = checkpoint.toAbsolutePath().getParent();
      if (Files.isRegularFile(dir.resolve(CheckpointStore.STATE))) {
        try {
          describeBase(CheckpointStore.read(dir), inv.facts());
        } catch (TfpeftException e) {
          // a bundle beside a state.json that is not tfpeft's: its tensors are all there is
        }
      }
      return inv;
    }
    if (Files.isDirectory(path)) {
      throw TfpeftException.usage(path + ": a directory with no checkpoint (.index), "
          + "saved_model.pb, weights.safetensors or model.safetensors; name the file to inspect");
    }
    WeightFiles.Format format;
    try {
      format = WeightFiles.detect(path);
    } catch (TfpeftException e) {
      if (e.exitCode() != TfpeftException.USAGE) {
        throw e;
      }
      throw TfpeftException.usage(e.getMessage().replace("; " + WeightFiles.EXPECTED, "")
          + "; inspect reads a checkpoint, run directory, adapter artifact, SavedModel, backbone"
          + " directory, .safetensors or .npz file", e);
    }
    return switch (format) {
      case SAFETENSORS -> safetensors(path, "safetensors", path);
      case NPZ -> npz(path);
      default -> throw TfpeftException.usage(path + ": not a checkpoint, SavedModel, backbone "
          + "directory, .safetensors or .npz file");
    };
  }

  /** A run directory: the inventory of its last checkpoint. */
  static Inventory run(Path dir) {
    CheckpointStore.Checkpoint c = new RunDirectory(dir).checkpoints().latest().orElseThrow(
        () -> TfpeftException.usage(dir + ": a run directory without a checkpoint yet; train it"
            + " first"));
    Inventory inv = checkpoint(c.variables(), "run", dir);
    inv.facts().put("checkpoint", c.dir() + " (the last)");
    describeBase(c, inv.facts());
    return inv;
  }

  /**
   * What a tfpeft checkpoint holds of the backbone: an adapter-sized one names the base its
   * frozen backbone is read from.
   */
  static void describeBase(CheckpointStore.Checkpoint c, Map<String, String> facts) {
    if (!c.adapterSized()) {
      return;
    }
    BaseIdentity b = c.base();
    facts.put("stored", "adapter-sized: what the run trains, not the frozen backbone, which is"
        + " read from its base");
    facts.put("base", b.name() + (b.weights().isEmpty() ? "" : " (" + b.weights() + ")") + ", "
        + String.format(Locale.ROOT, "%,d", b.parameters()) + " parameters, sha256 "
        + b.sha256());
  }

  /**
   * An adapter artifact: its tensors with their stored encodings (F32, BIT1 for 1-bit matrices,
   * MASK for bit-packed masks) and true shapes; values are what the model computes with.
   */
  static Inventory artifact(Path dir) {
    AdapterArtifact a = AdapterArtifact.read(dir);
    List<TensorInfo> out = new ArrayList<>();
    for (ArtifactTensor t : a.tensors()) {
      String dtype = switch (t.encoding()) {
        case FLOAT32 -> "F32";
        case BITS1 -> "BIT1";
        case MASK_BITS -> "MASK";
      };
      out.add(new TensorInfo(t.name(), dtype, t.shape(), t.storedBytes()));
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("format", AdapterArtifact.FORMAT + " (" + AdapterArtifact.MANIFEST + ", "
        + AdapterArtifact.CONFIG + ", " + AdapterArtifact.TENSORS + ")");
    facts.put("tool version", a.toolVersion());
    facts.put("base", a.base().name() + (a.base().weights().isEmpty() ? ""
        : " (" + a.base().weights() + ")") + ", " + String.format(Locale.ROOT, "%,d",
        a.base().parameters()) + " parameters, sha256 " + a.base().sha256());
    if (a.source().has("run")) {
      facts.put("from", a.source().get("run").getAsString() + ", checkpoint "
          + a.source().get("checkpoint").getAsString());
    }
    facts.put("classes", a.classNames().size() + " (" + String.join(", ", a.classNames()
        .subList(0, Math.min(8, a.classNames().size()))) + (a.classNames().size() > 8 ? ", ..."
        : "") + ")");
    long size = AdapterArtifact.sizeOnDisk(dir);
    facts.put("size on disk", String.format(Locale.ROOT, "%,d bytes = %.4f MB", size,
        size / 1048576.0));
    return new Inventory("adapter artifact", dir, out, facts, include -> {
      List<NamedTensor> values = new ArrayList<>();
      for (ArtifactTensor t : a.tensors()) {
        if (include.test(t.name())) {
          values.add(new NamedTensor(t.name(), t.shape(), t.effective()));
        }
      }
      return new TensorFile(dir, values);
    });
  }

  /** A checkpoint prefix for {@code path}: itself, or the single/latest one in a directory. */
  static Path checkpointIn(Path path) {
    if (TensorBundleReader.isCheckpoint(path)) {
      return path;
    }
    if (!Files.isDirectory(path)) {
      return null;
    }
    if (Files.isRegularFile(path.resolve("model.safetensors"))) {
      return null;
    }
    try (Stream<Path> s = Files.list(path)) {
      List<Path> indexes = s.filter(p -> p.getFileName().toString().endsWith(".index"))
          .sorted().toList();
      if (indexes.size() > 1) {
        throw TfpeftException.usage(path + " holds " + indexes.size() + " checkpoints ("
            + indexes.stream().map(p -> p.getFileName().toString()).toList()
            + "); name one");
      }
      return indexes.isEmpty() ? null : TensorBundleReader.prefix(indexes.get(0));
    } catch (IOException e) {
      throw TfpeftException.failure("cannot list " + path + ": " + e.getMessage(), e);
    }
  }

  static Inventory checkpoint(Path prefix, String kind, Path shown) {
    TensorBundleReader.Index index = TensorBundleReader.readIndex(prefix);
    List<TensorInfo> out = new ArrayList<>();
    for (TensorBundleReader.Entry e : index.entries()) {
      out.add(new TensorInfo(e.name(), dtypeName(e.dtype().name()), e.shape(), e.size()));
    }
    // the index alone says nothing of the data: every tensor's bytes are checked (a chunk at a
    // time), so that a flipped byte or a missing shard is reported, not called healthy
    int checked = TensorBundleReader.verify(prefix);
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("format", "TensorFlow V2 checkpoint, " + index.header().getNumShards()
        + " shard(s), prefix " + TensorBundleReader.prefix(prefix).getFileName());
    facts.put("integrity", "the CRC32C of all " + checked + " tensors verified");
    return new Inventory(kind, shown, out, facts,
        include -> TensorBundleReader.read(prefix, include));
  }

  static Inventory safetensors(Path file, String kind, Path shown) {
    SafetensorsHeader h = SafetensorsReader.readHeader(file);
    List<TensorInfo> out = new ArrayList<>();
    for (SafetensorsHeader.Entry e : h.entries()) {
      out.add(new TensorInfo(e.name(), e.dtype(), e.shape(), e.end() - e.begin()));
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("format", "safetensors" + (h.metadata().isEmpty() ? ""
        : ", metadata " + h.metadata()));
    return new Inventory(kind, shown, out, facts, include -> SafetensorsReader.read(file,
        include));
  }

  /** An .npz from its arrays' headers alone; values are read only for a diff. */
  static Inventory npz(Path file) {
    List<TensorInfo> out = new ArrayList<>();
    NpzReader.headers(file).forEach((name, h) ->
        out.add(new TensorInfo(name, h.type().name(), h.shape(), h.dataBytes())));
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("format", "numpy .npz (values read as float32)");
    return new Inventory("npz", file, out, facts, include -> NpzReader.read(file, include));
  }

  private static SavedModel readSavedModel(Path dir) {
    try {
      return SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    } catch (IOException e) {
      throw TfpeftException.usage(dir.resolve("saved_model.pb") + ": not a SavedModel ("
          + e.getMessage() + ")");
    }
  }

  /**
   * The signatures of the SavedModel in {@code dir} for machines: per signature its method
   * name, and per input and output its dtype and shape (-1 for an unknown dimension, null for
   * an unknown rank).
   */
  public static JsonObject signatures(Path dir) {
    JsonObject all = new JsonObject();
    for (var mg : readSavedModel(dir).getMetaGraphsList()) {
      mg.getSignatureDefMap().forEach((name, sig) -> {
        JsonObject j = new JsonObject();
        j.addProperty("method_name", sig.getMethodName());
        j.add("inputs", tensorInfos(sig.getInputsMap()));
        j.add("outputs", tensorInfos(sig.getOutputsMap()));
        all.add(name, j);
      });
    }
    return all;
  }

  private static JsonObject tensorInfos(Map<String, org.tensorflow.proto.TensorInfo> infos) {
    JsonObject o = new JsonObject();
    infos.forEach((k, t) -> {
      JsonObject j = new JsonObject();
      j.addProperty("dtype", dtypeName(t.getDtype().name()));
      if (t.getTensorShape().getUnknownRank()) {
        j.add("shape", JsonNull.INSTANCE);
      } else {
        JsonArray dims = new JsonArray();
        t.getTensorShape().getDimList().forEach(d -> dims.add(d.getSize() < 0 ? -1 : d.getSize()));
        j.add("shape", dims);
      }
      o.add(k, j);
    });
    return o;
  }

  static Inventory savedModel(Path dir) {
    SavedModel sm = readSavedModel(dir);
    Path variables = dir.resolve("variables").resolve("variables");
    Inventory inv = TensorBundleReader.isCheckpoint(variables)
        ? checkpoint(variables, "savedmodel", dir)
        : new Inventory("savedmodel", dir, List.of(), new LinkedHashMap<>(), null);
    inv.facts().put("format", "SavedModel, " + sm.getMetaGraphsCount() + " meta graph(s)");
    long size;
    try (Stream<Path> s = Files.walk(dir)) {
      size = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      size = -1;
    }
    inv.facts().put("size on disk", String.format(Locale.ROOT, "%.3f MB", size / 1048576.0));
    String adapters = servedAdapters(dir);
    if (adapters != null) {
      inv.facts().put("adapters", adapters);
    }
    for (var mg : sm.getMetaGraphsList()) {
      inv.facts().put("tags", String.join(", ", mg.getMetaInfoDef().getTagsList()));
      mg.getSignatureDefMap().forEach((name, sig) -> {
        StringBuilder sb = new StringBuilder(sig.getMethodName());
        sig.getInputsMap().forEach((k, t) -> sb.append("\n    in  ").append(k).append(": ")
            .append(dtypeName(t.getDtype().name())).append(' ').append(shape(t)));
        sig.getOutputsMap().forEach((k, t) -> sb.append("\n    out ").append(k).append(": ")
            .append(dtypeName(t.getDtype().name())).append(' ').append(shape(t)));
        inv.facts().put("signature " + name, sb.toString());
      });
    }
    return inv;
  }

  /**
   * The adapters a SavedModel of several serves ({@code tfpeft export --adapter A --adapter B}),
   * from its manifest asset: each signature with its method, classes and own bytes, and the
   * backbone they share; null for any other SavedModel.
   */
  private static String servedAdapters(Path dir) {
    Path manifest = dir.resolve("assets").resolve(tfpeft.export.MultiAdapterExport.MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      return null;
    }
    try {
      JsonObject m = com.google.gson.JsonParser.parseString(Files.readString(manifest))
          .getAsJsonObject();
      List<String> parts = new ArrayList<>();
      for (var e : m.getAsJsonArray("adapters")) {
        JsonObject a = e.getAsJsonObject();
        parts.add(String.format(Locale.ROOT, "%s: %s, %d classes, %.3f MB own",
            a.get("signature").getAsString(), a.get("method").getAsString(),
            a.getAsJsonArray("class_names").size(), a.get("own_bytes").getAsLong() / 1048576.0));
      }
      return String.format(Locale.ROOT, "%d (%s); the backbone they share %.3f MB; signature"
          + " serving_default (and serving_bytes) takes the adapter's name as input '%s'",
          parts.size(), String.join("; ", parts), m.get("shared_bytes").getAsLong() / 1048576.0,
          m.get("adapter_input").getAsString());
    } catch (IOException | RuntimeException e) {
      return "unreadable " + manifest + ": " + e.getMessage();
    }
  }

  private static String shape(org.tensorflow.proto.TensorInfo t) {
    if (t.getTensorShape().getUnknownRank()) {
      return "[?]";
    }
    List<String> dims = new ArrayList<>();
    for (var d : t.getTensorShape().getDimList()) {
      dims.add(d.getSize() < 0 ? "?" : Long.toString(d.getSize()));
    }
    return "[" + String.join(", ", dims) + "]";
  }

  /** TensorFlow's DT_FLOAT etc. in the short names safetensors uses. */
  static String dtypeName(String tfName) {
    return switch (tfName) {
      case "DT_FLOAT" -> "F32";
      case "DT_DOUBLE" -> "F64";
      case "DT_HALF" -> "F16";
      case "DT_BFLOAT16" -> "BF16";
      case "DT_INT64" -> "I64";
      case "DT_INT32" -> "I32";
      case "DT_UINT8" -> "U8";
      case "DT_BOOL" -> "BOOL";
      case "DT_STRING" -> "STRING";
      default -> tfName.startsWith("DT_") ? tfName.substring(3) : tfName;
    };
  }
}
