package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.proto.KnowledgeCheckpoint;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.PearConfig;

/** The plan's JSON form round-trips exactly and names sites, not indices. */
class PearPlanJsonTest {
  static final PearConfig CONFIG = PearConfig.newBuilder().setLora(LoraConfig
      .getDefaultInstance()).setKnowledgeCheckpoint(KnowledgeCheckpoint.SBA).build();

  @Test
  void roundTripsSharedAndVanillaPlans() {
    List<String> sites = List.of("block0/attn/q", "block0/attn/v", "block1/attn/q",
        "block1/attn/v");
    double[] importance = {0.1 + 1e-13, 3.25, 1e-30, 7};
    for (boolean share : new boolean[] {true, false}) {
      PearPlan plan = PearPlan.decide(sites, importance, 0.5, share);
      String text = PearPlanJson.text(PearPlanJson.toJson(plan, CONFIG, 10));
      assertEquals(plan, PearPlanJson.parse(text, "plan.json"));
    }
  }

  @Test
  void describesEachPositionBySite() {
    PearPlan plan = PearPlan.decide(List.of("a", "b"), new double[] {1, 2}, 0.5, true);
    JsonObject json = PearPlanJson.toJson(plan, CONFIG, 3);
    assertEquals("SBA", json.get("knowledge_checkpoint").getAsString());
    assertEquals(3, json.get("decided_after_epoch").getAsInt());
    JsonObject a = json.getAsJsonArray("positions").get(0).getAsJsonObject();
    assertEquals("a", a.get("site").getAsString());
    assertEquals("b", a.get("uses").getAsString());
    assertEquals(2, a.get("rank").getAsInt());
    assertTrue(a.get("pruned").getAsBoolean());
  }

  @Test
  void aDamagedPlanIsAUsageErrorNamingTheFile() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> PearPlanJson.parse(
        "{\"positions\": [{\"site\": \"a\", \"importance\": 1, \"pruned\": true, "
            + "\"uses\": \"zz\"}]}", "run/pear_plan.json"));
    assertTrue(e.getMessage().startsWith("run/pear_plan.json"), e.getMessage());
  }
}
