package tfpeft.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Pear's plan (Pear, Sec. 3.2-3.3): per adapter position its Taylor importance (Eq. 4), whether
 * the prune step kept it, and for a pruned one the kept adapter it shares (Eq. 6) or none. Drawn
 * as the positions in the network's layout and as importance bars in the plan's order.
 */
final class PearPlanPicture implements MethodPicture {
  static final String KEPT = "#0072B2";
  static final String SHARED = "#E69F00";
  static final String PRUNED = "#999999";

  @Override
  public boolean draw(RunRecord run, Page page) {
    if (!run.method().equals("pear")) {
      return false;
    }
    JsonObject s = run.methodSummary;
    if (s == null || !s.has("pear_plan") || !s.get("pear_plan").isJsonArray()) {
      page.element("p", "Pear's plan: none yet. The plan is made after the warm-up epochs"
          + " (method.pear.warmup_epochs); until then every position trains its own adapter.");
      return true;
    }
    SiteGrid grid = new SiteGrid("Pear's plan per position")
        .legend(KEPT, "kept").legend(SHARED, "pruned, shares").legend(PRUNED, "pruned, none");
    BarChart bars = new BarChart("Importance per position (Taylor, Pear Eq. 4)", "importance")
        .legend(KEPT, "kept").legend(SHARED, "pruned, shares").legend(PRUNED, "pruned, none");
    List<String[]> rows = new ArrayList<>();
    int pruned = 0;
    for (JsonElement e : s.getAsJsonArray("pear_plan")) {
      if (!e.isJsonObject()) {
        continue;
      }
      JsonObject p = e.getAsJsonObject();
      String site = RunRecord.text(p, "site");
      double importance = RunRecord.number(p, "importance");
      boolean isPruned = p.has("pruned") && p.get("pruned").isJsonPrimitive()
          && p.get("pruned").getAsBoolean();
      String uses = RunRecord.text(p, "uses");
      List<String> usedBy = new ArrayList<>();
      if (p.has("used_by") && p.get("used_by").isJsonArray()) {
        p.getAsJsonArray("used_by").forEach(u -> usedBy.add(u.isJsonPrimitive()
            ? u.getAsString() : u.toString()));
      }
      String what = !isPruned ? "kept" + (usedBy.isEmpty() ? "" : ", also used by "
          + String.join(", ", usedBy))
          : uses.isEmpty() ? "pruned, no adapter" : "pruned, shares " + uses;
      String colour = !isPruned ? KEPT : uses.isEmpty() ? PRUNED : SHARED;
      pruned += isPruned ? 1 : 0;
      String tip = site + ": importance " + Markup.value(importance) + ", rank "
          + RunRecord.text(p, "rank") + "; " + what;
      grid.add(site, colour, !isPruned ? "kept" : uses.isEmpty() ? "none"
          : "< " + uses.replaceFirst("^(.*/)?block", "b"), tip);
      bars.add(site, importance, colour, isPruned && !uses.isEmpty() ? "shares " + uses : null,
          tip);
      rows.add(new String[] {site, Markup.value(importance), RunRecord.text(p, "rank"), what});
    }
    page.element("p", pruned + " of " + rows.size() + " positions pruned; a pruned position"
        + " computes with the kept adapter it shares, or with none.");
    page.figure("pear_plan.svg", grid.svg(), "Where the kept adapters sit and which kept"
        + " adapter each pruned position shares (hover a cell for its importance).");
    page.figure("pear_importance.svg", bars.svg(), "Importance of each position when the plan"
        + " was made; the least important are pruned.");
    page.table(new String[] {"position", "importance", "rank", "adapter"}, rows, false, true,
        true, false);
    return true;
  }
}
