package tfpeft.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.train.TinyRuns;

/**
 * The method's picture in the reports of tiny trained runs, checked against what the trainer
 * wrote: Pear's plan file, the mask sparsity of report.json, the prompt variables' shapes.
 */
class MethodPicturesTest {
  @TempDir Path out;

  private Path report(Path run) {
    ReportWriter.write(run, null);
    return run.resolve("report");
  }

  private static List<String> titles(Path svg) throws Exception {
    return ReportWriterTest.rectTitles(ReportWriterTest.parse(svg));
  }

  @Test
  void pearDrawsEachPositionKeptOrSharingAsItsPlanFileSays() throws Exception {
    Path run = TinyRuns.train(TinyRuns.vit(out, "pear", MethodConfig.newBuilder()
        .setPear(PearConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2))
            .setWarmupEpochs(1)).build(), 2).build());
    Path dir = report(run);
    List<String> cells = titles(dir.resolve("pear_plan.svg"));
    JsonObject plan = JsonParser.parseString(Files.readString(run.resolve("pear_plan.json")))
        .getAsJsonObject();
    List<String> expected = new ArrayList<>();
    for (JsonElement e : plan.getAsJsonArray("positions")) {
      JsonObject p = e.getAsJsonObject();
      String site = p.get("site").getAsString();
      String colour = !p.get("pruned").getAsBoolean() ? PearPlanPicture.KEPT
          : p.get("uses").isJsonNull() ? PearPlanPicture.PRUNED : PearPlanPicture.SHARED;
      String what = !p.get("pruned").getAsBoolean() ? "kept"
          : "pruned, shares " + p.get("uses").getAsString();
      expected.add(site + " | " + colour + " | " + what);
    }
    List<String> drawn = new ArrayList<>();
    for (String c : cells) {
      // "site: importance I, rank R; what | fill F | width W"
      String site = c.substring(0, c.indexOf(':'));
      String what = c.substring(c.indexOf("; ") + 2, c.indexOf(" | "));
      String fill = c.substring(c.indexOf("| fill ") + 7, c.lastIndexOf(" | "));
      drawn.add(site + " | " + fill + " | " + what.replaceFirst(", also used by .*", ""));
    }
    assertEquals(4, expected.size());
    assertEquals(expected, drawn);
    assertTrue(Files.readString(dir.resolve("index.html")).contains("2 of 4 positions pruned"));
  }

  @Test
  void maskTuningDrawsTheSparsityOfEachLayerThatTheRunReports() throws Exception {
    Path run = TinyRuns.train(TinyRuns.clipOnColors(out, "mask", MethodConfig.newBuilder()
        .setMask(MaskConfig.getDefaultInstance()).build()).build());
    List<String> bars = titles(report(run).resolve("mask_sparsity.svg"));
    JsonObject layers = JsonParser.parseString(Files.readString(run.resolve("report.json")))
        .getAsJsonObject().getAsJsonObject("method_report").getAsJsonObject("sparsity")
        .getAsJsonObject("layers");
    List<String> expected = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : layers.entrySet()) {
      double share = e.getValue().getAsDouble();
      expected.add(e.getKey() + ": " + Markup.percent(share) + " | fill " + Svg.PALETTE[1]
          + " | width " + Markup.num(420 * share));
    }
    assertTrue(expected.size() >= 2, expected.toString());
    // the bars follow the checkpoint's layer order, report.json its own
    assertEquals(expected.stream().sorted().toList(), bars.stream().sorted().toList());
  }

  @Test
  void mudptDrawsATokenPerLayerOfEachPrompt() throws Exception {
    Path run = TinyRuns.train(TinyRuns.clipOnColors(out, "mudpt", MethodConfig.newBuilder()
        .setMudpt(MudptConfig.newBuilder().setLength(2).setDepth(2).setInit("")).build())
        .build());
    Path dir = report(run);
    List<String> cells = titles(dir.resolve("prompts.svg"));
    // two prompts (text and visual), each depth 2 x 2 tokens
    assertEquals(8, cells.size(), cells.toString());
    assertTrue(cells.get(0).startsWith("peft/mudpt/"), cells.get(0));
    String html = Files.readString(dir.resolve("index.html"));
    assertTrue(html.contains("Injection Model: "), html);
  }

  @Test
  void aMethodWithoutStateOfItsOwnSaysSo() throws Exception {
    Path run = RunDirs.finished(out.resolve("probe"));
    RunDirs.write(run, "config.pbtxt", RunDirs.CONFIG.replace("lora { rank: 2 }",
        "linear_probe { }"));
    RunDirs.write(run, "report.json", RunDirs.report("a", "b").replace("\"lora\"",
        "\"linear_probe\""));
    String html = Files.readString(report(run).resolve("index.html"));
    assertTrue(html.contains("The method linear_probe keeps no state of its own to draw"),
        html);
  }
}
