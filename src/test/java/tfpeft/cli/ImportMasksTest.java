package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.MaskConfig;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.mask.MaskArtifact;
import tfpeft.peft.mask.MaskBits;

/** import --masks: the masked encoder of a mask run as a backbone directory. */
class ImportMasksTest {
  static final String SMALL = "checkpoints/pretrained/clip-small";
  static final String PATCH = "backbone/patch_embed/weight";

  @TempDir Path dir;

  @Test
  void theMasksAreMultipliedIntoTheWrittenWeights() {
    TensorFile before = SafetensorsReader.read(Path.of(SMALL, "weights.safetensors"));
    long[] shape = before.get(PATCH).shape();
    boolean[] keep = new boolean[before.get(PATCH).size()];
    Arrays.fill(keep, true);
    keep[3] = false;
    Path masks = dir.resolve(MaskArtifact.FILE);
    new MaskArtifact(MaskConfig.getDefaultInstance(), List.of(new MaskArtifact.Binary(
        "patch_embed", shape, MaskBits.pack(keep)))).write(masks);
    Path out = dir.resolve("masked");
    MainTest.Result r = MainTest.run("import", SMALL, "--masks", masks.toString(), "--out",
        out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("0.0217% (1 of 4608)"), r.err());
    TensorFile after = SafetensorsReader.read(out.resolve("weights.safetensors"));
    float[] w = after.get(PATCH).data();
    assertEquals(0f, w[3], 0f);
    assertEquals(before.get(PATCH).data()[4], w[4], 0f);
    assertEquals(before.get("backbone/block0/attn/q/weight").data()[0],
        after.get("backbone/block0/attn/q/weight").data()[0], 0f);
  }

  @Test
  void masksThatDoNotFitAreAUsageError() {
    Path masks = dir.resolve(MaskArtifact.FILE);
    new MaskArtifact(MaskConfig.getDefaultInstance(), List.of(new MaskArtifact.Binary(
        "patch_embed", new long[] {2, 3}, new byte[1]))).write(masks);
    MainTest.Result r = MainTest.run("import", SMALL, "--masks", masks.toString(), "--out",
        dir.resolve("x").toString());
    assertEquals(2, r.code(), r.err());
  }
}
