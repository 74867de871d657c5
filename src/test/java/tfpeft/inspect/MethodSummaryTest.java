package tfpeft.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.export.AdapterExport;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.TinyRuns;

/**
 * Method summaries of tiny runs: the same facts from the run directory, its checkpoint and its
 * adapter artifact, in text and in JSON.
 */
class MethodSummaryTest {
  @TempDir Path out;

  record Three(JsonObject run, JsonObject checkpoint, JsonObject artifact, String text) {}

  Three summaries(RunConfig c) {
    Path run = TinyRuns.train(c);
    Path art = out.resolve(c.getName() + "-adapter");
    AdapterExport.fromRun(run, "last", art, false, MethodRegistry.builtIn(), s -> { });
    Inventory r = Inventory.of(run);
    assertEquals("run", r.kind());
    Inventory ck = Inventory.of(run.resolve("checkpoints").resolve("last"));
    Inventory a = Inventory.of(art);
    assertEquals("adapter artifact", a.kind());
    MethodSummary artifact = MethodSummary.of(a);
    String text = String.join("\n", InventoryReport.text(a, 0, false, artifact));
    JsonObject json = JsonParser.parseString(InventoryReport.json(a, 0, artifact))
        .getAsJsonObject();
    assertEquals(artifact.json().toString(), json.getAsJsonObject("method_summary").toString());
    return new Three(MethodSummary.of(r).json(), MethodSummary.of(ck).json(), artifact.json(),
        text);
  }

  @Test
  void loraShowsRankScalePositionsAndTheAccountedStorage() {
    RunConfig c = TinyRuns.vit(out, "lora", MethodConfig.newBuilder().setLora(
        LoraConfig.newBuilder().setRank(2).setScale(4)).build(), 2).build();
    Three s = summaries(c);
    JsonObject a = s.run().getAsJsonObject("adapters");
    assertEquals("lora", a.get("kind").getAsString());
    assertEquals(2, a.get("rank").getAsInt());
    assertEquals(4f, a.get("scale").getAsFloat());
    assertEquals("float32", a.get("precision").getAsString());
    assertEquals(4, a.getAsJsonArray("sites").size());
    long accounted = AdapterAccounting.of(c.getMethod(), c.getModel()).storedBytes();
    for (JsonObject j : new JsonObject[] {s.run(), s.checkpoint(), s.artifact()}) {
      assertEquals(accounted, j.getAsJsonObject("storage").get("adapter_weight_bytes")
          .getAsLong());
    }
    // adapters 4 * 2 * 32 plus the head of the 7 shapes, 16 * 7 + 7
    assertEquals(256 + 119, s.run().getAsJsonObject("parameters").get("trainable").getAsLong());
    assertEquals(s.run().getAsJsonObject("parameters"), s.artifact().getAsJsonObject(
        "parameters"));
    assertTrue(s.text().contains("format: tfpeft-adapter-artifact-1"), s.text());
    assertTrue(s.text().contains("base: random initialization (seed 3)"), s.text());
    assertTrue(s.text().contains("tool version: "), s.text());
    assertTrue(s.text().contains("adapters: LoRA, rank 2, scale 4, float32; 4 trained"),
        s.text());
  }

  @Test
  void pearShowsThePlanFromTheCheckpointStateAndFromTheArtifact() {
    Three s = summaries(TinyRuns.vit(out, "pear", MethodConfig.newBuilder().setPear(
        PearConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2).setBits(1))
            .setWarmupEpochs(1)).build(), 2).build());
    JsonArray plan = s.checkpoint().getAsJsonArray("pear_plan");
    assertEquals(4, plan.size());
    int pruned = 0;
    for (JsonElement e : plan) {
      JsonObject p = e.getAsJsonObject();
      if (p.get("pruned").getAsBoolean()) {
        pruned++;
        assertFalse(p.get("uses").isJsonNull(), p.toString());
      }
    }
    assertEquals(2, pruned);
    assertEquals(plan, s.artifact().getAsJsonArray("pear_plan"));
    assertEquals("1-bit", s.artifact().getAsJsonObject("adapters").get("precision")
        .getAsString());
    assertEquals(2, s.artifact().getAsJsonObject("adapters").getAsJsonArray("sites").size());
    assertTrue(s.text().contains("pear plan: 2 of 4 positions pruned"), s.text());
    assertTrue(s.text().contains("pruned, shares block"), s.text());
  }

  @Test
  void masksShowTheirSparsityPerLayerAlikeInTheCheckpointAndTheArtifact() {
    Three s = summaries(TinyRuns.clipOnColors(out, "mask", MethodConfig.newBuilder().setMask(
        MaskConfig.getDefaultInstance()).build()).build());
    JsonObject ck = s.checkpoint().getAsJsonObject("masks");
    assertEquals(ck, s.artifact().getAsJsonObject("masks"));
    assertTrue(ck.getAsJsonObject("layers").has("block0"), ck.toString());
    assertEquals(ck.get("packed_bytes").getAsLong(), s.artifact().getAsJsonObject("storage")
        .get("trained_state_bytes").getAsLong());
    assertEquals(0, s.run().getAsJsonObject("parameters").get("trainable").getAsLong()
        - ck.get("masked").getAsLong());
  }

  @Test
  void mudptShowsItsPromptShapesAndInjectionForm() {
    Three s = summaries(TinyRuns.clipOnColors(out, "mudpt", MethodConfig.newBuilder().setMudpt(
        MudptConfig.newBuilder().setLength(2).setDepth(2).setInit("")
            .setInjection(InjectionKind.LINEAR)).build()).build());
    JsonObject p = s.artifact().getAsJsonObject("prompts");
    assertEquals("[2,2,12]", p.get("peft/mudpt/text_prompts").toString());
    assertEquals("[2,2,16]", p.get("peft/mudpt/visual_prompts").toString());
    assertEquals("LINEAR", s.artifact().get("injection").getAsString());
    // Linear 12 -> 16 for layer 0, 12 -> 16 and 16 -> 12 shared by the deeper layers, biases
    assertEquals(2 * (12 * 16 + 16) + 16 * 12 + 12, s.artifact().get("injection_parameters")
        .getAsLong());
    assertEquals(s.run().get("injection_parameters"), s.artifact().get("injection_parameters"));
  }
}
