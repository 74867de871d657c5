package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MaskGroup;

/** The masks file: binarized on write, the same bits and statistics on read. */
class MaskArtifactTest {
  @TempDir
  Path dir;

  static MaskArtifact sample() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> values = new LinkedHashMap<>();
    shapes.put("block0/attn/q", new long[] {2, 5});
    values.put("block0/attn/q", new float[] {0.01f, 0.001f, 0.02f, 0.01f, 0.01f,
        0.01f, 0.01f, 0.01f, 0.01f, -0.2f});
    shapes.put("patch_embed", new long[] {3, 1});
    values.put("patch_embed", new float[] {0.01f, 0.01f, 0.01f});
    return MaskArtifact.of(MaskConfig.newBuilder().setGroup(MaskGroup.AMT).build(), shapes,
        values);
  }

  @Test
  void aRunDirectoryRoundTripsItsMasks() {
    sample().write(dir.resolve(MaskArtifact.FILE));
    MaskArtifact back = tfpeft.train.MaskRuns.read(dir);
    assertEquals(MaskGroup.AMT, back.config().getGroup());
    assertEquals(2, back.masks().size());
    assertArrayEquals(new long[] {2, 5}, back.masks().get(0).shape());
    assertArrayEquals(new float[] {1, 0, 1, 1, 1, 1, 1, 1, 1, 0},
        back.masks().get(0).values(), 0f);
    assertEquals(2 + 1, back.packedBytes());
    assertEquals(2, back.sparsity().total().zeroed());
    assertEquals(13, back.sparsity().total().total());
  }

  @Test
  void inspectDescribesEachLayer() {
    String text = MaskInspection.describe(sample());
    assertEquals("15.3846% of 13 masked weights zeroed (binary = mask > 0.005), 2 sites, "
        + "bit-packed 0.000 MB\n    block0            20.0000% of 10\n    patch_embed        "
        + "0.0000% of 3", text);
  }

  @Test
  void aMissingOrDamagedFileIsAUsageError() throws Exception {
    assertThrows(TfpeftException.class, () -> tfpeft.train.MaskRuns.read(dir));
    Files.write(dir.resolve("bad.pb"), sample().toProto().toBuilder()
        .setMasks(0, sample().toProto().getMasks(0).toBuilder().addShape(4)).build()
        .toByteArray());
    assertThrows(TfpeftException.class, () -> tfpeft.train.MaskRuns.read(dir.resolve("bad.pb")));
  }
}
