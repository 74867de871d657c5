package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;

/** A backbone with a run's masks multiplied into its weights. */
class MaskedBackboneTest {
  static final String Q = "backbone/block0/attn/q/weight";

  static LoadedBackbone clipSmall() {
    return Backbones.load(WeightsConfig.newBuilder().setPath("checkpoints/pretrained/clip-small").build(), null);
  }

  @Test
  void maskedWeightsAreZeroAndTheRestUnchanged() {
    LoadedBackbone b = clipSmall();
    long[] shape = b.shapes().get(Q);
    int n = (int) (shape[0] * shape[1]);
    boolean[] keep = new boolean[n];
    java.util.Arrays.fill(keep, true);
    keep[0] = false;
    keep[n - 1] = false;
    MaskArtifact masks = new MaskArtifact(MaskConfig.getDefaultInstance(), List.of(
        new MaskArtifact.Binary("block0/attn/q", shape, MaskBits.pack(keep))));
    LoadedBackbone masked = MaskedBackbone.apply(b, masks);
    float[] before = b.tensors().get(Q);
    float[] after = masked.tensors().get(Q);
    assertEquals(0f, after[0], 0f);
    assertEquals(0f, after[n - 1], 0f);
    assertArrayEquals(java.util.Arrays.copyOfRange(before, 1, n - 1),
        java.util.Arrays.copyOfRange(after, 1, n - 1), 0f);
    assertArrayEquals(b.tensors().get("backbone/block0/attn/k/weight"),
        masked.tensors().get("backbone/block0/attn/k/weight"), 0f);
    // the original is left alone
    assertEquals(before[0], clipSmall().tensors().get(Q)[0]);
  }

  @Test
  void masksOfAnotherBackboneAreRefused() {
    MaskArtifact masks = new MaskArtifact(MaskConfig.getDefaultInstance(), List.of(
        new MaskArtifact.Binary("block0/attn/q", new long[] {2, 2}, new byte[] {0})));
    assertThrows(TfpeftException.class, () -> MaskedBackbone.apply(clipSmall(), masks));
  }
}
