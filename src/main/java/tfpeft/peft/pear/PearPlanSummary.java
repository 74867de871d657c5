package tfpeft.peft.pear;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tfpeft.peft.InspectSummary;

/**
 * Pear's plan as {@code tfpeft inspect} shows it: per position its Taylor importance, rank, and
 * whether it kept its adapter, shares a kept one, or has none (Pear, section 3).
 */
final class PearPlanSummary {
  private PearPlanSummary() {}

  static void describe(InspectSummary out, PearPlan plan) {
    if (plan == null) {
      out.line("  pear plan: none yet (warm-up: every position trains its own adapter)");
      return;
    }
    out.line(String.format(Locale.ROOT, "  pear plan: %d of %d positions pruned",
        plan.size() - plan.kept().size(), plan.size()));
    out.line(String.format(Locale.ROOT, "    %-22s %12s %5s  %s", "position", "importance",
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
      out.line(String.format(Locale.ROOT, "    %-22s %12.5g %5d  %s", plan.sites().get(p),
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
    out.put("pear_plan", positions);
  }
}
