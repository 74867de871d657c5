package tfpeft.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * Mask tuning (R-AMT): the share of masked weights whose binary mask is zero, per layer at the
 * last checkpoint, and in total after each epoch, as the method logs it in {@code metrics.jsonl}.
 */
final class MaskPicture implements MethodPicture {
  @Override
  public boolean draw(RunRecord run, Page page) {
    JsonObject layers = null;
    String when = "";
    JsonObject s = run.methodSummary;
    if (s != null && s.has("masks") && s.get("masks").isJsonObject()) {
      JsonObject m = s.getAsJsonObject("masks");
      page.element("p", String.format(java.util.Locale.ROOT, "Masks zero %s of %,.0f masked"
          + " weights (binary mask = mask > %s), bit-packed %,.0f bytes.",
          Markup.percent(RunRecord.number(m, "share")), RunRecord.number(m, "masked"),
          RunRecord.text(m, "threshold"), RunRecord.number(m, "packed_bytes")));
      if (m.has("layers") && m.get("layers").isJsonObject()) {
        layers = new JsonObject();
        for (Map.Entry<String, JsonElement> e : m.getAsJsonObject("layers").entrySet()) {
          if (e.getValue().isJsonObject()) {
            layers.addProperty(e.getKey(), RunRecord.number(e.getValue().getAsJsonObject(),
                "share"));
          }
        }
        when = "at the last checkpoint";
      }
    }
    double[] epochs = new double[run.epochs.size()];
    double[] total = new double[run.epochs.size()];
    int n = 0;
    for (JsonObject e : run.epochs) {
      if (e.has("sparsity") && e.get("sparsity").isJsonObject()) {
        JsonObject sp = e.getAsJsonObject("sparsity");
        epochs[n] = RunRecord.number(e, "epoch");
        total[n++] = RunRecord.number(sp, "total");
        if (layers == null || when.startsWith("after")) {
          if (sp.has("layers") && sp.get("layers").isJsonObject()) {
            layers = sp.getAsJsonObject("layers");
            when = "after epoch " + RunRecord.text(e, "epoch");
          }
        }
      }
    }
    if (layers == null && n == 0) {
      return false;
    }
    if (layers != null && layers.size() > 0) {
      BarChart bars = new BarChart("Mask sparsity per layer, " + when, "share of weights"
          + " zeroed").percent();
      for (Map.Entry<String, JsonElement> e : layers.entrySet()) {
        double v = e.getValue().isJsonPrimitive() ? e.getValue().getAsDouble() : Double.NaN;
        bars.add(e.getKey(), v, Svg.PALETTE[1], null, null);
      }
      page.figure("mask_sparsity.svg", bars.svg(), "The share of each layer's masked weights"
          + " that the binary mask zeroes.");
    }
    if (n > 0) {
      double top = 0.01;
      for (int i = 0; i < n; i++) {
        top = Double.isFinite(total[i]) ? Math.max(top, total[i]) : top;
      }
      LinePlot plot = new LinePlot("Mask sparsity after each epoch", "epoch", "share zeroed")
          .wholeX().yRange(0, top)
          .add("total", java.util.Arrays.copyOf(epochs, n), java.util.Arrays.copyOf(total, n),
              true);
      page.figure("mask_sparsity_epochs.svg", plot.svg(), "The share of all masked weights"
          + " zeroed, after each epoch.");
    }
    return true;
  }
}
