package tfpeft.inspect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.inspect.Inventory.TensorInfo;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;

/**
 * What differs between two artifacts, tensor by tensor: names only in one, shapes that changed,
 * and for tensors in both the largest absolute difference and how many values differ at all
 * (bit-for-bit, so a frozen weight that stayed frozen shows as identical).
 */
public final class InventoryDiff {
  /** One tensor present in both. */
  public record Change(String name, long values, long differing, double maxAbsDiff) {}

  public record Result(List<String> onlyA, List<String> onlyB, List<String> reshaped,
      List<Change> changed, int identical) {}

  private InventoryDiff() {}

  public static Result diff(Inventory a, Inventory b) {
    if (a.values() == null || b.values() == null) {
      throw TfpeftException.usage("--diff compares tensors; "
          + (a.values() == null ? a.path() : b.path()) + " holds none");
    }
    Map<String, TensorInfo> inA = new LinkedHashMap<>();
    a.tensors().forEach(t -> inA.put(t.name(), t));
    Map<String, TensorInfo> inB = new LinkedHashMap<>();
    b.tensors().forEach(t -> inB.put(t.name(), t));
    List<String> onlyA = new ArrayList<>();
    List<String> onlyB = new ArrayList<>();
    List<String> reshaped = new ArrayList<>();
    List<String> common = new ArrayList<>();
    for (String n : inA.keySet()) {
      TensorInfo tb = inB.get(n);
      if (tb == null) {
        onlyA.add(n);
      } else if (!Arrays.equals(inA.get(n).shape(), tb.shape())) {
        reshaped.add(n + " " + NamedTensor.formatShape(inA.get(n).shape()) + " -> "
            + NamedTensor.formatShape(tb.shape()));
      } else if (numeric(inA.get(n).dtype()) && numeric(tb.dtype())) {
        common.add(n);
      }
    }
    for (String n : inB.keySet()) {
      if (!inA.containsKey(n)) {
        onlyB.add(n);
      }
    }
    TensorFile va = a.values().read(common::contains);
    TensorFile vb = b.values().read(common::contains);
    List<Change> changed = new ArrayList<>();
    int identical = 0;
    for (String n : common) {
      float[] x = va.get(n).data();
      float[] y = vb.get(n).data();
      long differing = 0;
      double max = 0;
      for (int i = 0; i < x.length; i++) {
        if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
          differing++;
          max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
      }
      if (differing == 0) {
        identical++;
      } else {
        changed.add(new Change(n, x.length, differing, max));
      }
    }
    return new Result(onlyA, onlyB, reshaped, changed, identical);
  }

  private static boolean numeric(String dtype) {
    return !dtype.equals("STRING") && !dtype.equals("BOOL");
  }

  public static List<String> text(Inventory a, Inventory b, Result r) {
    List<String> out = new ArrayList<>();
    out.add("A: " + a.path() + " (" + a.kind() + ", " + a.tensors().size() + " tensors)");
    out.add("B: " + b.path() + " (" + b.kind() + ", " + b.tensors().size() + " tensors)");
    out.add(String.format(Locale.ROOT, "%d identical, %d changed, %d reshaped, %d only in A,"
        + " %d only in B", r.identical(), r.changed().size(), r.reshaped().size(),
        r.onlyA().size(), r.onlyB().size()));
    for (Inventory x : List.of(a, b)) {
      String stored = x.facts().get("stored");
      if (stored != null && stored.startsWith("adapter-sized")) {
        // its backbone/ tensors are missing by design, not lost: say whose they are
        out.add("  " + (x == a ? "A" : "B") + " is adapter-sized: its frozen backbone is not"
            + " stored but read from its base, " + x.facts().get("base"));
      }
    }
    for (Change c : r.changed()) {
      out.add(String.format(Locale.ROOT, "  changed   %-56s %,d of %,d values, max |diff| %.3g",
          c.name(), c.differing(), c.values(), c.maxAbsDiff()));
    }
    r.reshaped().forEach(n -> out.add("  reshaped  " + n));
    r.onlyA().forEach(n -> out.add("  only in A " + n));
    r.onlyB().forEach(n -> out.add("  only in B " + n));
    return out;
  }
}
