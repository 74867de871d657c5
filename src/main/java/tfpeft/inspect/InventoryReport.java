package tfpeft.inspect;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tfpeft.inspect.Inventory.TensorInfo;
import tfpeft.model.weights.NamedTensor;

/**
 * An inventory summed by variable prefix ({@code backbone}, {@code head}, {@code peft/<method>},
 * optimizer slots...), as text or JSON. Storage is counted in MB of 2^20 bytes.
 */
public final class InventoryReport {
  /** Totals of one prefix group. */
  public record Group(String prefix, int tensors, long elements, long bytes) {}

  private InventoryReport() {}

  /** The group of a tensor name: {@code depth} path components, or by default one (two under peft/). */
  public static String groupOf(String name, int depth) {
    String[] parts = name.split("/");
    int d = depth > 0 ? depth : parts[0].equals("peft") ? 2 : 1;
    if (parts.length <= d) {
      return parts.length == 1 ? "(top level)" : String.join("/", java.util.Arrays.copyOf(parts,
          parts.length - 1));
    }
    return String.join("/", java.util.Arrays.copyOf(parts, d));
  }

  /** The groups at {@code depth}; by default one level deeper when everything shares a prefix. */
  public static List<Group> groups(Inventory inv, int depth) {
    List<Group> g = groupsAt(inv, depth);
    return depth == 0 && g.size() == 1 && !inv.tensors().isEmpty()
        && !g.get(0).prefix().contains("/") ? groupsAt(inv, 2) : g;
  }

  private static List<Group> groupsAt(Inventory inv, int depth) {
    Map<String, long[]> sums = new LinkedHashMap<>();
    for (TensorInfo t : inv.tensors()) {
      long[] s = sums.computeIfAbsent(groupOf(t.name(), depth), k -> new long[3]);
      s[0]++;
      s[1] += t.elements();
      s[2] += t.bytes();
    }
    List<Group> out = new ArrayList<>();
    sums.forEach((k, s) -> out.add(new Group(k, (int) s[0], s[1], s[2])));
    return out;
  }

  public static List<String> text(Inventory inv, int depth, boolean listTensors) {
    return text(inv, depth, listTensors, null);
  }

  /** The text, with a run's or artifact's method summary after the facts (when not null). */
  public static List<String> text(Inventory inv, int depth, boolean listTensors,
      MethodSummary summary) {
    List<String> out = new ArrayList<>();
    out.add(inv.path() + ": " + inv.kind());
    inv.facts().forEach((k, v) -> out.add("  " + k + ": " + v));
    if (summary != null) {
      summary.lines().forEach(l -> out.add("  " + l));
    }
    long elements = 0;
    long bytes = 0;
    for (TensorInfo t : inv.tensors()) {
      elements += t.elements();
      bytes += t.bytes();
    }
    out.add(String.format(Locale.ROOT, "  %d tensors, %,d values, %s", inv.tensors().size(),
        elements, mb(bytes)));
    if (!inv.tensors().isEmpty()) {
      out.add("");
      out.add(String.format(Locale.ROOT, "  %-40s %8s %14s %12s", "prefix", "tensors", "values",
          "MB"));
      for (Group g : groups(inv, depth)) {
        out.add(String.format(Locale.ROOT, "  %-40s %8d %,14d %12.4f", g.prefix(), g.tensors(),
            g.elements(), g.bytes() / 1048576.0));
      }
    }
    if (listTensors) {
      out.add("");
      for (TensorInfo t : inv.tensors()) {
        out.add(String.format(Locale.ROOT, "  %-60s %-5s %-18s %,12d B", t.name(), t.dtype(),
            NamedTensor.formatShape(t.shape()), t.bytes()));
      }
    }
    return out;
  }

  public static String json(Inventory inv, int depth) {
    return json(inv, depth, null);
  }

  /** The JSON, with the method summary as "method_summary" (when not null). */
  public static String json(Inventory inv, int depth, MethodSummary summary) {
    JsonObject o = new JsonObject();
    o.addProperty("path", inv.path().toString());
    o.addProperty("kind", inv.kind());
    JsonObject facts = new JsonObject();
    boolean savedModel = inv.kind().equals("savedmodel");
    // A SavedModel's signatures go under "signatures" as structure, not as their text lines.
    inv.facts().forEach((k, v) -> {
      if (!(savedModel && k.startsWith("signature "))) {
        facts.addProperty(k, v);
      }
    });
    o.add("facts", facts);
    if (savedModel) {
      o.add("signatures", Inventory.signatures(inv.path()));
    }
    if (summary != null) {
      o.add("method_summary", summary.json());
    }
    JsonArray groups = new JsonArray();
    for (Group g : groups(inv, depth)) {
      JsonObject j = new JsonObject();
      j.addProperty("prefix", g.prefix());
      j.addProperty("tensors", g.tensors());
      j.addProperty("values", g.elements());
      j.addProperty("bytes", g.bytes());
      groups.add(j);
    }
    o.add("groups", groups);
    JsonArray tensors = new JsonArray();
    for (TensorInfo t : inv.tensors()) {
      JsonObject j = new JsonObject();
      j.addProperty("name", t.name());
      j.addProperty("dtype", t.dtype());
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      j.add("shape", shape);
      j.addProperty("bytes", t.bytes());
      tensors.add(j);
    }
    o.add("tensors", tensors);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
  }

  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.4f MB (%,d bytes)", bytes / 1048576.0, bytes);
  }
}
