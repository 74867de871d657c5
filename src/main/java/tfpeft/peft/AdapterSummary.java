package tfpeft.peft;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tfpeft.model.weights.NamedTensor;

/**
 * What inspect says of stored state, shared by the methods: an adapter bank's kind, rank,
 * scale, precision and sites, and the stored size, adapter weights as Pear's Table I counts them
 * (MB = 2^20 bytes) or, for other methods, the trained state as an artifact stores it.
 */
public final class AdapterSummary {
  private AdapterSummary() {}

  /**
   * The adapters under {@code prefix} among {@code trained}: a site trains when its down matrix
   * ({@code shape.downName()}) does.
   *
   * @param label "LoRA" or "AdaptFormer"; its lower case is the JSON's kind
   * @param width "rank" or "dim"
   */
  public static void describe(InspectSummary out, String label, String width, AdapterShape shape,
      float scale, String prefix, Map<String, long[]> trained) {
    String down = "/" + shape.downName();
    List<String> sites = new ArrayList<>();
    long rank = 0;
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      if (e.getKey().startsWith(prefix) && e.getKey().endsWith(down)) {
        sites.add(e.getKey().substring(prefix.length(), e.getKey().length() - down.length()));
        rank = e.getValue()[1];
      }
    }
    int bits = shape.bits();
    String precision = bits == 1 ? "1-bit (packed bits + float32 mean and std per matrix)"
        : "float32";
    out.line(String.format(Locale.ROOT, "  adapters: %s, %s %d, scale %s, %s; %d trained: %s",
        label, width, rank, AdapterStorage.significant(scale, 4), precision, sites.size(),
        String.join(", ", sites)));
    JsonObject a = new JsonObject();
    a.addProperty("kind", label.toLowerCase(Locale.ROOT));
    a.addProperty(width, rank);
    a.addProperty("scale", scale);
    a.addProperty("bits", bits);
    a.addProperty("precision", bits == 1 ? "1-bit" : "float32");
    JsonArray s = new JsonArray();
    sites.forEach(s::add);
    a.add("sites", s);
    out.put("adapters", a);
  }

  /** The stored adapter weights under {@code prefix} at {@code bits}; {@code note} follows. */
  public static void adapterStorage(InspectSummary out, String prefix, int bits,
      Map<String, long[]> trained, String note) {
    long bytes = 0;
    int stored = 0;
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        bytes += AdapterStorage.matrixBytes(NamedTensor.elementCount(e.getValue()), bits);
        stored++;
      }
    }
    out.storageLine(String.format(Locale.ROOT, "  stored: %d adapters%s, %,d bytes = %s MB (adapter"
        + " weights only, MB = 2^20 bytes, as Pear's Table I counts)", stored / 2, note, bytes,
        AdapterStorage.significant(AdapterStorage.megabytes(bytes), 3)));
    JsonObject st = new JsonObject();
    st.addProperty("adapter_weight_bytes", bytes);
    st.addProperty("adapter_weight_mb", AdapterStorage.megabytes(bytes));
    out.put("storage", st);
  }

  /**
   * The method's own trained variables (under {@code peft/}) as an artifact stores them, the
   * head apart; {@code what} names them ("float32 prompts").
   */
  public static void stateStorage(InspectSummary out, Method method,
      Map<String, long[]> trained, String what) {
    long bytes = 0;
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      long n = NamedTensor.elementCount(e.getValue());
      if (e.getKey().startsWith(method.variablePrefix())) {
        bytes += method.stored(e.getKey()).storedBytes(n);
      }
    }
    JsonObject st = new JsonObject();
    if (bytes > 0) {
      out.storageLine(String.format(Locale.ROOT, "  stored: %,d bytes = %s MB of %s (head apart;"
          + " MB = 2^20 bytes)", bytes, AdapterStorage.significant(
          AdapterStorage.megabytes(bytes), 3), what));
      st.addProperty("trained_state_bytes", bytes);
      st.addProperty("trained_state_mb", AdapterStorage.megabytes(bytes));
    }
    out.put("storage", st);
  }

  /** Whether {@code variable} is the head's or under {@code method}'s own prefix. */
  public static boolean headOrOwn(Method method, String variable) {
    return StoredTensor.isHead(variable) || variable.startsWith(method.variablePrefix());
  }
}
