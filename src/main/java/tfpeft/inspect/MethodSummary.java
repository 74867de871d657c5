package tfpeft.inspect;

import com.google.gson.JsonArray;
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
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.ArtifactTensor;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.mask.MaskBits;
import tfpeft.peft.mask.MaskSparsity;
import tfpeft.peft.pear.PearPlan;
import tfpeft.peft.pear.PearPlanJson;
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
    MethodSummary m = new MethodSummary();
    PearPlan plan = plan(state);
    long trainable = 0;
    long frozen = 0;
    Map<String, long[]> trained = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = NamedTensor.elementCount(e.getValue());
      if (trains(config.getMethod(), e.getKey(), plan)) {
        trainable += n;
        trained.put(e.getKey(), e.getValue());
      } else {
        frozen += n;
      }
    }
    m.describe(config, trained, trainable, frozen, plan);
    m.tipAdapter(config.getMethod(), state);
    if (config.getMethod().hasMask() && inv.values() != null) {
      TensorFile f = inv.values().read(n -> n.startsWith("peft/mask/") && n.endsWith("/mask"));
      Map<String, float[]> masks = new LinkedHashMap<>();
      long bits = 0;
      for (NamedTensor t : f.tensors()) {
        masks.put(site(t.name()), t.data());
        bits += MaskBits.packedLength(t.size());
      }
      m.masks(MaskSparsity.ofMasks(masks, config.getMethod().getMask().getThreshold()),
          config.getMethod().getMask().getThreshold(), bits);
    }
    m.storage(config.getMethod(), trained, plan);
    return m;
  }

  static MethodSummary ofArtifact(AdapterArtifact a) {
    MethodSummary m = new MethodSummary();
    Map<String, long[]> trained = new LinkedHashMap<>();
    long trainable = 0;
    for (ArtifactTensor t : a.tensors()) {
      trained.put(t.name(), t.shape());
      trainable += t.elements();
    }
    PearPlan plan = plan(a.methodState());
    m.describe(a.config(), trained, trainable, a.base().parameters(), plan);
    m.tipAdapter(a.method(), a.methodState());
    if (a.method().hasMask()) {
      Map<String, long[]> counts = new LinkedHashMap<>();
      long bits = 0;
      for (ArtifactTensor t : a.tensors()) {
        if (t.encoding() == ArtifactTensor.Encoding.MASK_BITS) {
          counts.put(site(t.name()), new long[] {MaskBits.zeros(t.data(), t.elements()),
              t.elements()});
          bits += t.storedBytes();
        }
      }
      m.masks(MaskSparsity.of(counts), a.method().getMask().getThreshold(), bits);
    }
    m.storage(a.method(), trained, plan);
    return m;
  }

  /**
   * TIP-Adapter's alpha and beta as the run set them (the method state; after a search these
   * differ from the config's, which the search leaves unused).
   */
  private void tipAdapter(MethodConfig method, JsonObject state) {
    if (!method.hasTipAdapter() || state == null || !state.has("alpha")) {
      return;
    }
    double alpha = state.get("alpha").getAsDouble();
    double beta = state.get("beta").getAsDouble();
    String how = state.has("search_split") ? String.format(Locale.ROOT,
        " (searched on %d images of the %s split, top-1 %.2f%%)",
        state.get("search_val_images").getAsInt(), state.get("search_split").getAsString(),
        100 * state.get("search_val_top1").getAsDouble()) : " (from the config)";
    lines.add(String.format(Locale.ROOT, "  cache: alpha %.4g, beta %.4g%s", alpha, beta, how));
    JsonObject tip = state.deepCopy();
    json.add("tip_adapter", tip);
  }

  private static String site(String maskName) {
    return maskName.substring("peft/mask/".length(), maskName.length() - "/mask".length());
  }

  private static PearPlan plan(JsonObject state) {
    if (state == null || !state.has("plan")) {
      return null;
    }
    return PearPlanJson.fromJson(state.get("plan"), "the method state's Pear plan");
  }

  /** Whether the method trains variable {@code name} (at the checkpoint, given its plan). */
  static boolean trains(MethodConfig method, String name, PearPlan plan) {
    return switch (method.getMethodCase()) {
      case FULL_FINETUNE -> true;
      case ZERO_SHOT, TIP_ADAPTER -> false;
      case LINEAR_PROBE -> name.startsWith("head/");
      default -> {
        if (name.startsWith("head/")) {
          yield true;
        }
        String prefix = "peft/" + methodKey(method) + "/";
        if (!name.startsWith(prefix) || name.startsWith("peft/pear/state/")) {
          yield false;
        }
        if (plan != null) {
          for (int p = 0; p < plan.size(); p++) {
            if (plan.pruned()[p] && name.startsWith(prefix + plan.sites().get(p) + "/")) {
              yield false;
            }
          }
        }
        yield true;
      }
    };
  }

  static String methodKey(MethodConfig m) {
    return m.getMethodCase().name().toLowerCase(Locale.ROOT);
  }

  private void describe(RunConfig config, Map<String, long[]> trained, long trainable,
      long frozen, PearPlan plan) {
    MethodConfig method = config.getMethod();
    String name = methodKey(method);
    String settings = TextFormat.printer().shortDebugString(method)
        .strip();
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
    if (method.hasLora() || method.hasAdaptformer() || method.hasPear()) {
      adapters(method, trained, plan);
    }
    JsonObject prompts = new JsonObject();
    long injection = 0;
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      String n = e.getKey();
      if (n.startsWith("peft/mudpt/injection/")) {
        injection += NamedTensor.elementCount(e.getValue());
      } else if (n.startsWith("peft/coop/") || n.startsWith("peft/vpt/")
          || n.startsWith("peft/mudpt/")) {
        prompts.add(n, shape(e.getValue()));
        lines.add("  prompts " + n + " " + NamedTensor.formatShape(e.getValue())
            + " [depth, tokens, width]");
      }
    }
    if (prompts.size() > 0) {
      json.add("prompts", prompts);
    }
    if (method.hasMudpt()) {
      String form = method.getMudpt().getInjection().name();
      lines.add(String.format(Locale.ROOT, "  injection: %s, %,d parameters", form,
          injection));
      json.addProperty("injection", form);
      json.addProperty("injection_parameters", injection);
    }
    long headBytes = 0;
    JsonObject head = new JsonObject();
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      if (e.getKey().startsWith("head/")) {
        headBytes += 4 * NamedTensor.elementCount(e.getValue());
        head.add(e.getKey(), shape(e.getValue()));
      }
    }
    if (head.size() > 0) {
      lines.add(String.format(Locale.ROOT, "  head: %s (float32, %,d bytes)", String.join(", ",
          head.keySet().stream().map(k -> k + " " + NamedTensor.formatShape(trained.get(k)))
              .toList()), headBytes));
      JsonObject h = new JsonObject();
      h.add("tensors", head);
      h.addProperty("bytes", headBytes);
      json.add("head", h);
    }
  }

  private void adapters(MethodConfig method, Map<String, long[]> trained, PearPlan plan) {
    boolean lora = method.hasLora() || method.hasPear() && method.getPear().hasLora();
    int bits = lora ? (method.hasLora() ? method.getLora() : method.getPear().getLora()).getBits()
        : (method.hasAdaptformer() ? method.getAdaptformer()
            : method.getPear().getAdaptformer()).getBits();
    float scale = lora ? (method.hasLora() ? method.getLora() : method.getPear().getLora())
        .getScale() : (method.hasAdaptformer() ? method.getAdaptformer()
        : method.getPear().getAdaptformer()).getScale();
    String down = lora ? "/lora_a" : "/down";
    String prefix = "peft/" + methodKey(method) + "/";
    List<String> sites = new ArrayList<>();
    long rank = 0;
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      if (e.getKey().startsWith(prefix) && e.getKey().endsWith(down)) {
        sites.add(e.getKey().substring(prefix.length(), e.getKey().length() - down.length()));
        rank = e.getValue()[1];
      }
    }
    String precision = bits == 1 ? "1-bit (packed bits + float32 mean and std per matrix)"
        : "float32";
    lines.add(String.format(Locale.ROOT, "  adapters: %s, %s %d, scale %s, %s; %d trained:"
        + " %s", lora ? "LoRA" : "AdaptFormer", lora ? "rank" : "dim", rank,
        AdapterStorage.significant(scale, 4), precision, sites.size(), String.join(", ",
            sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", lora ? "lora" : "adaptformer");
    a.addProperty(lora ? "rank" : "dim", rank);
    a.addProperty("scale", scale);
    a.addProperty("bits", bits);
    a.addProperty("precision", bits == 1 ? "1-bit" : "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    json.add("adapters", a);
    if (method.hasPear()) {
      pear(plan);
    }
  }

  private void pear(PearPlan plan) {
    if (plan == null) {
      lines.add("  pear plan: none yet (warm-up: every position trains its own adapter)");
      return;
    }
    lines.add(String.format(Locale.ROOT, "  pear plan: %d of %d positions pruned",
        plan.size() - plan.kept().size(), plan.size()));
    lines.add(String.format(Locale.ROOT, "    %-22s %12s %5s  %s", "position", "importance",
        "rank", "adapter"));
    JsonArray positions = new JsonArray();
    for (int p = 0; p < plan.size(); p++) {
      List<String> usedBy = new ArrayList<>();
      for (int q : plan.takenOverBy(p)) {
        usedBy.add(plan.sites().get(q));
      }
      String what = !plan.pruned()[p] ? "kept" + (usedBy.isEmpty() ? ""
          : ", also used by " + String.join(", ", usedBy))
          : plan.uses()[p] < 0 ? "pruned, no adapter"
          : "pruned, shares " + plan.sites().get(plan.uses()[p]);
      lines.add(String.format(Locale.ROOT, "    %-22s %12.5g %5d  %s", plan.sites().get(p),
          plan.importance()[p], plan.rank(p), what));
      JsonObject o = new JsonObject();
      o.addProperty("site", plan.sites().get(p));
      o.addProperty("importance", plan.importance()[p]);
      o.addProperty("rank", plan.rank(p));
      o.addProperty("pruned", plan.pruned()[p]);
      o.addProperty("uses", plan.uses()[p] < 0 ? null : plan.sites().get(plan.uses()[p]));
      JsonArray by = new JsonArray();
      usedBy.forEach(by::add);
      o.add("used_by", by);
      positions.add(o);
    }
    json.add("pear_plan", positions);
  }

  private void masks(MaskSparsity s, float threshold, long packedBytes) {
    lines.add(String.format(Locale.ROOT, "  masks: %.4f%% of %,d masked weights zeroed (binary"
        + " = mask > %s), %d sites, bit-packed %,d bytes", 100 * s.total().share(),
        s.total().total(), threshold, s.sites().size(), packedBytes));
    JsonObject m = new JsonObject();
    m.addProperty("threshold", threshold);
    m.addProperty("zeroed", s.total().zeroed());
    m.addProperty("masked", s.total().total());
    m.addProperty("share", s.total().share());
    m.addProperty("packed_bytes", packedBytes);
    JsonObject layers = new JsonObject();
    for (MaskSparsity.Count c : s.layers()) {
      lines.add(String.format(Locale.ROOT, "    %-16s %8.4f%% of %,d", c.name(),
          100 * c.share(), c.total()));
      JsonObject l = new JsonObject();
      l.addProperty("zeroed", c.zeroed());
      l.addProperty("masked", c.total());
      l.addProperty("share", c.share());
      layers.add(c.name(), l);
    }
    m.add("layers", layers);
    json.add("masks", m);
  }

  /**
   * Stored size: adapter weights as Pear's Table I counts them (the kept adapters, at their
   * precision); for other methods the trained state as an artifact stores it (masks one bit per
   * weight, prompts and injection float32), the head apart.
   */
  private void storage(MethodConfig method, Map<String, long[]> trained, PearPlan plan) {
    JsonObject st = new JsonObject();
    if (json.has("adapters")) {
      JsonObject a = json.getAsJsonObject("adapters");
      int bits = a.get("bits").getAsInt();
      String prefix = "peft/" + methodKey(method) + "/";
      long bytes = 0;
      int stored = 0;
      for (Map.Entry<String, long[]> e : trained.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          bytes += AdapterStorage.matrixBytes(NamedTensor.elementCount(e.getValue()), bits);
          stored++;
        }
      }
      lines.add(String.format(Locale.ROOT, "  stored: %d adapters%s, %,d bytes = %s MB (adapter"
          + " weights only, MB = 2^20 bytes, as Pear's Table I counts)", stored / 2,
          method.hasPear() && plan == null ? " (before the prune step)" : "", bytes,
          AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
      st.addProperty("adapter_weight_bytes", bytes);
      st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    } else {
      long bytes = 0;
      for (Map.Entry<String, long[]> e : trained.entrySet()) {
        long n = NamedTensor.elementCount(e.getValue());
        if (e.getKey().startsWith("peft/mask/")) {
          bytes += MaskBits.packedLength(n);
        } else if (e.getKey().startsWith("peft/")) {
          bytes += 4 * n;
        }
      }
      if (bytes > 0) {
        lines.add(String.format(Locale.ROOT, "  stored: %,d bytes = %s MB of %s (head apart;"
            + " MB = 2^20 bytes)", bytes, AdapterStorage.significant(
            AdapterStorage.megabytes(bytes), 3), method.hasMask() ? "masks at 1 bit per weight"
            : "float32 prompts" + (method.hasMudpt() ? " and injection weights" : "")));
        st.addProperty("trained_state_bytes", bytes);
        st.addProperty("trained_state_mb", AdapterStorage.megabytes(bytes));
      }
    }
    if (json.has("head")) {
      st.addProperty("head_bytes", json.getAsJsonObject("head").get("bytes").getAsLong());
    }
    json.add("storage", st);
  }

  private static JsonArray shape(long[] s) {
    JsonArray a = new JsonArray();
    for (long d : s) {
      a.add(d);
    }
    return a;
  }
}
