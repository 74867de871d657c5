package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shares of weights zeroed, per site, per layer, in total. */
class MaskSparsityTest {
  @Test
  void sitesAreGroupedByBlockOfEachTower() {
    assertEquals("block3", MaskSparsity.layer("block3/attn/q"));
    assertEquals("text/block0", MaskSparsity.layer("text/block0/mlp/fc1"));
    assertEquals("patch_embed", MaskSparsity.layer("patch_embed"));
  }

  @Test
  void countsWeightsAtOrBelowTheThresholdAsZeroed() {
    Map<String, float[]> masks = new LinkedHashMap<>();
    masks.put("patch_embed", new float[] {0.01f, 0.01f, 0.005f, 0.01f});
    masks.put("block0/attn/q", new float[] {0.004f, 0.01f});
    masks.put("block0/attn/k", new float[] {0.01f, 0.01f});
    masks.put("text/block0/attn/q", new float[] {-1f, -1f});
    MaskSparsity s = MaskSparsity.ofMasks(masks, 0.005f);
    assertEquals(List.of("patch_embed", "block0", "text/block0"),
        s.layers().stream().map(MaskSparsity.Count::name).toList());
    assertEquals(0.25, s.layers().get(0).share(), 1e-12);
    assertEquals(0.25, s.layers().get(1).share(), 1e-12);
    assertEquals(1.0, s.layers().get(2).share(), 1e-12);
    assertEquals(4, s.total().zeroed());
    assertEquals(10, s.total().total());
    assertEquals("total 40.0000% (4 of 10)", s.total().format());
  }

  @Test
  void bitsGiveTheSameCountsAsTheRealValuedMasks() {
    float[] m = {0.01f, 0.001f, 0.02f, -0.3f, 0.006f};
    MaskSparsity fromMasks = MaskSparsity.ofMasks(Map.of("block1/mlp/fc1", m), 0.005f);
    MaskSparsity fromBits = MaskSparsity.ofBits(Map.of("block1/mlp/fc1",
        MaskBits.pack(m, 0.005f)), Map.of("block1/mlp/fc1", 5L));
    assertEquals(fromMasks.total(), fromBits.total());
    assertEquals(2, fromBits.total().zeroed());
  }
}
