package tfpeft.peft.pear;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.config.proto.PearConfig;

/**
 * The plan as JSON, one object per position in build order, as the run directory
 * ({@code pear_plan.json}) and every checkpoint hold it:
 *
 * <pre>
 * {"format": "tfpeft-pear-plan-1", "adapter": "lora", "prune_ratio": 0.5, "share": true,
 *  "knowledge_checkpoint": "DA", "decided_after_epoch": 10,
 *  "positions": [
 *    {"site": "block0/attn/q", "importance": 0.41, "rank": 3, "pruned": false,
 *     "uses": "block0/attn/q"},
 *    {"site": "block0/attn/v", "importance": 0.02, "rank": 20, "pruned": true,
 *     "uses": "block4/attn/q"}, ...]}
 * </pre>
 * "uses" names the site whose adapter the position computes with, null for a position pruned
 * without sharing. Reading needs only "positions" (site, importance, pruned, uses); the rest
 * describes the run.
 */
public final class PearPlanJson {
  public static final String FORMAT = "tfpeft-pear-plan-1";

  private PearPlanJson() {}

  public static JsonObject toJson(PearPlan plan, PearConfig config, int decidedAfterEpoch) {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("adapter", config.hasLora() ? "lora" : "adaptformer");
    o.addProperty("prune_ratio", config.getPruneRatio());
    o.addProperty("share", config.getShare());
    o.addProperty("knowledge_checkpoint", config.getKnowledgeCheckpoint().name());
    o.addProperty("decided_after_epoch", decidedAfterEpoch);
    o.add("positions", positions(plan));
    return o;
  }

  static JsonArray positions(PearPlan plan) {
    JsonArray positions = new JsonArray();
    for (int p = 0; p < plan.size(); p++) {
      JsonObject e = new JsonObject();
      e.addProperty("site", plan.sites().get(p));
      e.addProperty("importance", plan.importance()[p]);
      e.addProperty("rank", plan.rank(p));
      e.addProperty("pruned", plan.pruned()[p]);
      e.add("uses", plan.uses()[p] < 0 ? JsonNull.INSTANCE
          : new com.google.gson.JsonPrimitive(plan.sites().get(plan.uses()[p])));
      positions.add(e);
    }
    return positions;
  }

  public static String text(JsonElement json) {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
        .toJson(json) + "\n";
  }

  /** Reads a plan; {@code source} names where it came from in errors. */
  public static PearPlan fromJson(JsonElement json, String source) {
    try {
      JsonArray positions = json.getAsJsonObject().getAsJsonArray("positions");
      if (positions == null) {
        throw new JsonParseException("no \"positions\"");
      }
      int n = positions.size();
      List<String> sites = new ArrayList<>();
      double[] importance = new double[n];
      boolean[] pruned = new boolean[n];
      for (int p = 0; p < n; p++) {
        JsonObject e = positions.get(p).getAsJsonObject();
        sites.add(e.get("site").getAsString());
        importance[p] = e.get("importance").getAsDouble();
        pruned[p] = e.get("pruned").getAsBoolean();
      }
      Map<String, Integer> index = new HashMap<>();
      for (int p = 0; p < n; p++) {
        index.put(sites.get(p), p);
      }
      int[] uses = new int[n];
      for (int p = 0; p < n; p++) {
        JsonElement u = positions.get(p).getAsJsonObject().get("uses");
        if (u == null || u.isJsonNull()) {
          uses[p] = -1;
        } else {
          Integer k = index.get(u.getAsString());
          if (k == null) {
            throw new JsonParseException("position " + sites.get(p) + " uses unknown site "
                + u.getAsString());
          }
          uses[p] = k;
        }
      }
      return new PearPlan(sites, importance, pruned, uses);
    } catch (RuntimeException e) {
      throw TfpeftException.usage(source + ": not a Pear plan (" + e.getMessage() + ")", e);
    }
  }

  public static PearPlan parse(String text, String source) {
    try {
      return fromJson(JsonParser.parseString(text), source);
    } catch (JsonParseException e) {
      throw TfpeftException.usage(source + ": not JSON (" + e.getMessage() + ")", e);
    }
  }
}
