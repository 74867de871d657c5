package tfpeft.peft.mask;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.TrainedState;

/**
 * The masks as {@code tfpeft inspect} shows them: the share of masked weights the binary masks
 * 1[M > threshold] zero, in all and per layer, and their bit-packed size.
 */
final class MaskSummary {
  private MaskSummary() {}

  static void describe(InspectSummary out, TrainedState trained, float threshold) {
    if (trained.values() == null) {
      return;
    }
    Map<String, long[]> counts = new LinkedHashMap<>();
    long packed = 0;
    for (String name : trained.trained().keySet()) {
      if (!MaskInspection.isMask(name)) {
        continue;
      }
      float[] m = trained.values().apply(name);
      counts.put(MaskInspection.site(name),
          new long[] {MaskSparsity.zeroed(m, threshold), m.length});
      packed += MaskBits.packedLength(NamedTensor.elementCount(trained.trained().get(name)));
    }
    MaskSparsity s = MaskSparsity.of(counts);
    out.line(String.format(Locale.ROOT, "  masks: %.4f%% of %,d masked weights zeroed (binary"
        + " = mask > %s), %d sites, bit-packed %,d bytes", 100 * s.total().share(),
        s.total().total(), threshold, s.sites().size(), packed));
    JsonObject j = new JsonObject();
    j.addProperty("threshold", threshold);
    j.addProperty("zeroed", s.total().zeroed());
    j.addProperty("masked", s.total().total());
    j.addProperty("share", s.total().share());
    j.addProperty("packed_bytes", packed);
    JsonObject layers = new JsonObject();
    for (MaskSparsity.Count c : s.layers()) {
      out.line(String.format(Locale.ROOT, "    %-16s %8.4f%% of %,d", c.name(),
          100 * c.share(), c.total()));
      JsonObject l = new JsonObject();
      l.addProperty("zeroed", c.zeroed());
      l.addProperty("masked", c.total());
      l.addProperty("share", c.share());
      layers.add(c.name(), l);
    }
    j.add("layers", layers);
    out.put("masks", j);
  }
}
