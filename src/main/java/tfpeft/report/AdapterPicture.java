package tfpeft.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA's and AdaptFormer's adapters (and Pear's, whose plan draws the rest): which positions
 * carry one, their rank or bottleneck width and precision, and the bytes the adapter weights
 * take as Pear's Table I counts them.
 */
final class AdapterPicture implements MethodPicture {
  @Override
  public boolean draw(RunRecord run, Page page) {
    JsonObject s = run.methodSummary;
    if (s == null || !s.has("adapters") || !s.get("adapters").isJsonObject()) {
      return false;
    }
    JsonObject a = s.getAsJsonObject("adapters");
    boolean lora = "lora".equals(RunRecord.text(a, "kind"));
    String size = lora ? "rank " + RunRecord.text(a, "rank")
        : "bottleneck " + RunRecord.text(a, "dim");
    List<String> sites = new ArrayList<>();
    if (a.has("sites") && a.get("sites").isJsonArray()) {
      for (JsonElement e : a.getAsJsonArray("sites")) {
        sites.add(e.isJsonPrimitive() ? e.getAsString() : e.toString());
      }
    }
    double bytes = s.has("storage") && s.get("storage").isJsonObject()
        ? RunRecord.number(s.getAsJsonObject("storage"), "adapter_weight_bytes") : Double.NaN;
    String kind = a.has("label") ? RunRecord.text(a, "label") : lora ? "LoRA" : "AdaptFormer";
    page.element("p", String.format(java.util.Locale.ROOT, "%s adapters, %s, %s, at %d"
        + " positions; adapter weights %s bytes (%s MB, MB = 2^20 bytes, as Pear's Table I"
        + " counts them).", kind, size, RunRecord.text(a, "precision"), sites.size(),
        Double.isNaN(bytes) ? "n/a" : String.format(java.util.Locale.ROOT, "%,.0f", bytes),
        Double.isNaN(bytes) ? "n/a" : Markup.value(bytes / (1 << 20))));
    if (sites.isEmpty()) {
      return true;
    }
    SiteGrid grid = new SiteGrid(kind + " positions (" + size + ")");
    String each = Double.isNaN(bytes) ? "" : ", " + String.format(java.util.Locale.ROOT,
        "%,.0f", bytes / sites.size()) + " bytes";
    for (String site : sites) {
      grid.add(site, Svg.PALETTE[0], size.replace("bottleneck", "dim"),
          site + ": " + kind + " " + size + each);
    }
    page.figure("adapters.svg", grid.svg(), "The positions that train an adapter (trained at"
        + " the last checkpoint), laid out by block.");
    return true;
  }
}
