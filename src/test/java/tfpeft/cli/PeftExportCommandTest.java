package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.PeftArtifact;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.RunSession;
import tfpeft.train.TinyRuns;

/**
 * {@code export RUN --peft DIR} from the command line on a trained LoRA run on Hugging Face ViT
 * weights: the directory it writes, applied to the same base by the PEFT reader, gives the run's
 * own logits.
 */
class PeftExportCommandTest {
  @TempDir Path dir;

  @Test
  void aTrainedLoraRunExportedAsPeftGivesTheRunsLogitsOnItsBase() throws Exception {
    Path base = Path.of(getClass().getResource("/fixtures/models/vit/hf_cls").toURI());
    RunConfig.Builder b = TinyRuns.vit(dir, "lora", MethodConfig.newBuilder().setLora(
        LoraConfig.newBuilder().setRank(2).setScale(0.5f)).build(), 2);
    b.setModel(ModelConfig.newBuilder().setVit(VitConfig.getDefaultInstance())
        .setWeights(WeightsConfig.newBuilder().setPath(base.toString())));
    b.getDataBuilder().getTrainTransformBuilder().setSize(32);
    b.getDataBuilder().getEvalTransformBuilder().setSize(32);
    Path config = dir.resolve("lora.pbtxt");
    Files.writeString(config, TextFormat.printer().printToString(b.build()));
    MainTest.Result trained = MainTest.run("train", "--config", config.toString());
    assertEquals(0, trained.code(), trained.err());
    Path run = dir.resolve("lora");
    RunConfig c = RunConfig.newBuilder().mergeFrom(TextFormat.parse(
        Files.readString(run.resolve("config.pbtxt")), RunConfig.class)).build();

    Path peft = dir.resolve("peft");
    MainTest.Result exported = MainTest.run("export", run.toString(), "--peft", peft.toString());
    assertEquals(0, exported.code(), exported.err());
    JsonObject cfg = JsonParser.parseString(Files.readString(peft.resolve(
        "adapter_config.json"))).getAsJsonObject();
    assertEquals(2, cfg.get("r").getAsInt());
    assertEquals(1.0, cfg.get("lora_alpha").getAsDouble(), 1e-9); // scale 0.5 x r 2

    float[][] want = TinyRuns.checkpointLogits(run, c, 4);
    AdapterArtifact a = PeftArtifact.of(peft, base.toString(), null, List.of());
    try (RunSession m = a.openOnBase(null, MethodRegistry.builtIn(), s -> { }, peft)) {
      float[][] got = m.logits(TinyRuns.images(c, 4), 4);
      double d = TinyRuns.maxAbsDiff(got, want);
      assertTrue(d <= 1e-5, "max |logit difference| " + d);
    }
  }
}
