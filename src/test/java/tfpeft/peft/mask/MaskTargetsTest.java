package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.Encoders;
import tfpeft.config.proto.MaskGroup;

/** The weight groups of R-AMT, over every kind of site a CLIP has. */
class MaskTargetsTest {
  static final List<String> SITES = List.of("patch_embed", "block0/attn/q", "block0/attn/k",
      "block0/attn/v", "block0/attn/out", "block0/mlp/fc1", "block0/mlp/fc2", "proj",
      "text/block1/attn/q", "text/block1/attn/out", "text/block1/mlp/fc2", "text/proj",
      "head", "pre_logits");

  static String masked(MaskGroup g, Encoders e) {
    MaskTargets t = new MaskTargets(g, e);
    return SITES.stream().filter(t::masked).collect(Collectors.joining(" "));
  }

  @Test
  void amtMasksTheAttentionProjectionsAndThePatchEmbedding() {
    assertEquals("patch_embed block0/attn/q block0/attn/k block0/attn/v block0/attn/out",
        masked(MaskGroup.AMT, Encoders.IMAGE));
  }

  @Test
  void mmtMasksTheMlpOnly() {
    assertEquals("block0/mlp/fc1 block0/mlp/fc2", masked(MaskGroup.MMT, Encoders.IMAGE));
  }

  @Test
  void pmtMasksEveryLinearOfTheBlocksAndThePatchEmbeddingButNotTheProjections() {
    assertEquals("patch_embed block0/attn/q block0/attn/k block0/attn/v block0/attn/out "
        + "block0/mlp/fc1 block0/mlp/fc2", masked(MaskGroup.PMT, Encoders.IMAGE));
  }

  @Test
  void theTextEncoderHasNoPatchEmbedding() {
    assertEquals("text/block1/attn/q text/block1/attn/out",
        masked(MaskGroup.AMT, Encoders.TEXT));
    assertEquals("text/block1/attn/q text/block1/attn/out text/block1/mlp/fc2",
        masked(MaskGroup.PMT, Encoders.TEXT));
  }

  @Test
  void bothEncodersMaskTheUnionOfEach() {
    assertEquals("block0/mlp/fc1 block0/mlp/fc2 text/block1/mlp/fc2",
        masked(MaskGroup.MMT, Encoders.BOTH));
  }
}
