package tfpeft.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.TinyRuns;

/**
 * An artifact written from a run's last checkpoint, applied to the run's base, predicts as the
 * run does (logits at most 1e-5 apart), and its adapter bytes are the storage accounting's.
 */
class AdapterArtifactTest {
  static final double TOLERANCE = 1e-5;
  @TempDir Path out;

  /** Trains, exports, checks the prediction; returns the artifact. */
  AdapterArtifact roundTrip(RunConfig c) {
    Path run = TinyRuns.train(c);
    Path art = out.resolve(c.getName() + "-artifact");
    AdapterExport.Result r = AdapterExport.fromRun(run, "last", art, false,
        MethodRegistry.builtIn(), s -> { });
    assertEquals(AdapterArtifact.sizeOnDisk(art), r.bytesOnDisk());
    double diff = TinyRuns.maxAbsDiff(TinyRuns.checkpointLogits(run, c, 4),
        TinyRuns.artifactLogits(art, c, 4));
    System.out.printf("%s: max |logit difference| run vs base + artifact %.3g; adapter bytes %d,"
        + " tensors %d, on disk %d%n", c.getName(), diff, r.artifact().adapterWeightBytes(),
        r.artifact().tensorBytes(), r.bytesOnDisk());
    assertTrue(diff <= TOLERANCE, c.getName() + ": " + diff);
    return AdapterArtifact.read(art);
  }

  static void assertAdapterBytesAreTheAccounting(AdapterArtifact a) {
    AdapterAccounting acc = AdapterAccounting.of(a.method(), a.config().getModel());
    assertEquals(acc.storedBytes(), a.adapterWeightBytes());
  }

  @Test
  void oneBitLoraIsStoredAsPackedBitsAndPredictsAsTheRun() {
    AdapterArtifact a = roundTrip(TinyRuns.vit(out, "bilora", MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(4).setBits(1)).build(), 2).build());
    assertAdapterBytesAreTheAccounting(a);
    for (ArtifactTensor t : a.tensors()) {
      assertEquals(t.role().equals("adapter") ? ArtifactTensor.Encoding.BITS1
          : ArtifactTensor.Encoding.FLOAT32, t.encoding(), t.name());
    }
    // each 16 x 4 matrix: 8 bytes of bits + mean and std
    assertEquals(8 * (8 + 8), a.adapterWeightBytes());
  }

  @Test
  void pearAfterThePruneStepStoresTheKeptAdaptersAndThePlan() {
    AdapterArtifact a = roundTrip(TinyRuns.vit(out, "pear", MethodConfig.newBuilder()
        .setPear(PearConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2))
            .setWarmupEpochs(1)).build(), 2).build());
    assertAdapterBytesAreTheAccounting(a);
    assertTrue(a.methodState().has("plan"));
    long adapters = a.tensors().stream().filter(t -> t.role().equals("adapter")).count();
    assertEquals(2 * 2, adapters, "2 of 4 positions kept, 2 matrices each");
    assertFalse(a.tensors().stream().anyMatch(t -> t.name().contains("/state/")));
  }

  @Test
  void aPearRunStartedFromItsArtifactKeepsThePlanAndScoresAsTheSource() throws Exception {
    RunConfig c = TinyRuns.vit(out, "pear-source", MethodConfig.newBuilder()
        .setPear(PearConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2).setBits(1))
            .setWarmupEpochs(1)).build(), 2).build();
    AdapterArtifact a = roundTrip(c);
    Path art = out.resolve("pear-source-artifact");
    RunConfig again = c.toBuilder().setName("pear-again").setTraining(c.getTraining()
        .toBuilder().setEpochs(0)).build();
    tfpeft.train.Trainer t = new tfpeft.train.Trainer(again, "pear-again.pbtxt",
        TinyRuns.quiet(tfpeft.train.Trainer.Resume.AUTO), MethodRegistry.builtIn()).startingFrom(
            new ArtifactStart(a, art));
    com.google.gson.JsonObject report = t.run();
    com.google.gson.JsonObject source = com.google.gson.JsonParser.parseString(Files.readString(
        out.resolve("pear-source").resolve("report.json"))).getAsJsonObject();
    assertEquals(source.getAsJsonObject("test").get("top1"),
        report.getAsJsonObject("test").get("top1"));
    // what trains from the artifact: the 2 kept adapters (2 x 2 x 32) and the head (16 x 7 + 7),
    // as after the prune step, where the source run started with all 4 adapters training
    assertEquals(2 * 64 + 119, report.getAsJsonObject("parameters").get("trainable").getAsLong());
  }

  @Test
  void maskArtifactHoldsBitsAndPredictsAsTheRun() {
    AdapterArtifact a = roundTrip(TinyRuns.clipOnColors(out, "mask", MethodConfig.newBuilder()
        .setMask(MaskConfig.newBuilder().setL2(0)).build()).build());
    for (ArtifactTensor t : a.tensors()) {
      assertEquals(ArtifactTensor.Encoding.MASK_BITS, t.encoding(), t.name());
      assertEquals((t.elements() + 7) / 8, t.storedBytes());
    }
  }

  @Test
  void theArtifactFilesAreTheOnlyOnes() throws Exception {
    RunConfig c = TinyRuns.vit(out, "files", MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(1)).build(), 2).build();
    c = c.toBuilder().setTraining(c.getTraining().toBuilder().setEpochs(1)).build();
    Path art = out.resolve("files-artifact");
    AdapterExport.fromRun(TinyRuns.train(c), "last", art, false, MethodRegistry.builtIn(),
        s -> { });
    try (var s = Files.list(art)) {
      assertEquals(List.of(AdapterArtifact.TENSORS, AdapterArtifact.CONFIG,
          AdapterArtifact.MANIFEST), s.map(p -> p.getFileName().toString()).sorted()
          .toList());
    }
  }
}
