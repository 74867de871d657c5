package tfpeft.inspect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.ArtifactTensor;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.BaseIdentity;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.TrainedState;
import tfpeft.train.RunDirectory;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * What a run's method put into a model, for {@code tfpeft inspect} of a run directory, one of its
 * checkpoints or an adapter artifact: trainable against frozen parameters; LoRA and AdaptFormer
 * ranks, scale, precision and positions; Pear's plan; the share of weights the masks zero, per
 * layer; prompt shapes and the injection form; the head; and the stored size (adapter weights
 * only, as Pear's Table I counts, MB = 2^20 bytes). Read from the config and state beside the
 * checkpoint (or in the artifact) and the tensors' shapes, without building the model.
 *
 * <p>Trainable, for a checkpoint, means what the method trains at that checkpoint: the head and
 * the method's variables, less Pear's own state and, after the prune step, the pruned adapters;
 * everything for full fine-tuning, the head alone for a linear probe, nothing for zero-shot.
 */
public final class MethodSummary {
  private final List<String> lines = new ArrayList<>();
  private final JsonObject json = new JsonObject();

  private MethodSummary() {}

  public List<String> lines() {
    return lines;
  }

  public JsonObject json() {
    return json;
  }

  /** The summary of an inventory of a run, checkpoint or artifact; null for other kinds. */
  public static MethodSummary of(Inventory inv) {
    if (inv.kind().equals("adapter artifact")) {
      return ofArtifact(AdapterArtifact.read(inv.path()));
    }
    Path dir;
    if (inv.kind().equals("run")) {
      dir = new RunDirectory(inv.path()).checkpoints().latest().map(CheckpointStore.Checkpoint::dir)
          .orElse(null);
    } else if (inv.kind().equals("checkpoint")) {
      dir = Files.isDirectory(inv.path()) ? inv.path() : inv.path().toAbsolutePath().getParent();
    } else {
      return null;
    }
    if (dir == null || !Files.isRegularFile(dir.resolve(CheckpointStore.CONFIG))) {
      return null;
    }
    RunConfig config;
    JsonObject state = new JsonObject();
    try {
      RunConfig.Builder b = RunConfig.newBuilder();
      TextFormat.merge(Files.readString(dir.resolve(CheckpointStore.CONFIG)), b);
      config = b.build();
      Path s = dir.resolve(CheckpointStore.STATE);
      if (Files.isRegularFile(s)) {
        JsonElement e = JsonParser.parseString(Files.readString(s));
        if (e.isJsonObject() && e.getAsJsonObject().has("method")
            && e.getAsJsonObject().getAsJsonObject("method").has("state")) {
          state = e.getAsJsonObject().getAsJsonObject("method").getAsJsonObject("state");
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Inventory.TensorInfo t : inv.tensors()) {
      if (!t.name().startsWith("optimizer/")) {
        shapes.put(t.name(), t.shape());
      }
    }
    Method method = MethodRegistry.builtIn().create(config.getMethod());
    long trainable = 0;
    long frozen = 0;
    BaseIdentity base = adapterSizedBase(dir);
    if (base != null) {
      // the frozen backbone an adapter-sized checkpoint leaves out is its base's, counted as
      // it is in a checkpoint that holds it
      long storedBackbone = shapes.entrySet().stream()
          .filter(e -> e.getKey().startsWith(BackboneChecksum.PREFIX))
          .mapToLong(e -> NamedTensor.elementCount(e.getValue())).sum();
      frozen += base.parameters() - storedBackbone;
    }
    Map<String, long[]> trained = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = NamedTensor.elementCount(e.getValue());
      if (method.trainsAt(e.getKey(), state)) {
        trainable += n;
        trained.put(e.getKey(), e.getValue());
      } else {
        frozen += n;
      }
    }
    Inventory.Values values = inv.values();
    Function<String, float[]> read = values == null ? null
        : name -> values.read(n -> n.equals(name)).get(name).data();
    MethodSummary m = new MethodSummary();
    m.describe(config, method, new TrainedState(trained, state, read), trainable, frozen);
    return m;
  }

  /** The base of the adapter-sized checkpoint in {@code dir}; null for one holding everything. */
  private static BaseIdentity adapterSizedBase(Path dir) {
    try {
      CheckpointStore.Checkpoint c = CheckpointStore.read(dir);
      return c.adapterSized() ? c.base() : null;
    } catch (RuntimeException e) {
      // no state.json to say so: the checkpoint's own tensors are all it holds
      return null;
    }
  }

  static MethodSummary ofArtifact(AdapterArtifact a) {
    Map<String, long[]> trained = new LinkedHashMap<>();
    Map<String, ArtifactTensor> byName = new LinkedHashMap<>();
    long trainable = 0;
    long trainedBase = 0;
    for (ArtifactTensor t : a.tensors()) {
      trained.put(t.name(), t.shape());
      byName.put(t.name(), t);
      trainable += t.elements();
      if (t.name().startsWith(BackboneChecksum.PREFIX)) {
        // a base variable the method trains (a bias) counts as trainable, not also as frozen
        trainedBase += t.elements();
      }
    }
    MethodSummary m = new MethodSummary();
    m.describe(a.config(), MethodRegistry.builtIn().create(a.method()), new TrainedState(trained,
        a.methodState(), name -> byName.get(name).effective()), trainable,
        a.base().parameters() - trainedBase);
    return m;
  }

  /**
   * The method and its settings, the parameter counts and the head; then what the method says
   * of its trained state ({@link Method#inspect}), with the head's bytes under storage.
   */
  private void describe(RunConfig config, Method method, TrainedState state, long trainable,
      long frozen) {
    String name = method.name();
    String settings = TextFormat.printer().shortDebugString(config.getMethod()).strip();
    lines.add("method: " + name + " { " + settings.replaceFirst("^\\w+ \\{ ?", "")
        .replaceFirst(" ?}$", "") + " }");
    json.addProperty("method", name);
    json.addProperty("config", settings);
    long total = trainable + frozen;
    lines.add(String.format(Locale.ROOT, "  parameters: %,d trainable (%.3f%%), %,d frozen",
        trainable, total == 0 ? 0 : 100.0 * trainable / total, frozen));
    JsonObject p = new JsonObject();
    p.addProperty("trainable", trainable);
    p.addProperty("frozen", frozen);
    json.add("parameters", p);
    Map<String, long[]> trained = state.trained();
    long headBytes = 0;
    JsonObject head = new JsonObject();
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      if (e.getKey().startsWith("head/")) {
        headBytes += 4 * NamedTensor.elementCount(e.getValue());
        head.add(e.getKey(), InspectSummary.shape(e.getValue()));
      }
    }
    InspectSummary out = new InspectSummary(lines, json);
    method.inspect(state, out);
    if (head.size() > 0) {
      lines.add(String.format(Locale.ROOT, "  head: %s (float32, %,d bytes)", String.join(", ",
          head.keySet().stream().map(k -> k + " " + NamedTensor.formatShape(trained.get(k)))
              .toList()), headBytes));
      JsonObject h = new JsonObject();
      h.add("tensors", head);
      h.addProperty("bytes", headBytes);
      json.add("head", h);
    }
    lines.addAll(out.storageLines());
    JsonObject storage = json.has("storage") ? json.getAsJsonObject("storage")
        : new JsonObject();
    if (head.size() > 0) {
      storage.addProperty("head_bytes", headBytes);
    }
    json.add("storage", storage);
  }
}
