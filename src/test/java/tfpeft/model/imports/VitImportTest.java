package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.imports.ModelFixtures.assertClose;
import static tfpeft.model.imports.ModelFixtures.runVit;
import static tfpeft.model.imports.ModelFixtures.weights;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.VitConfig;
import tfpeft.config.proto.WeightsFormat;

/** Each ViT fixture imported, run by tfpeft's graph, and compared with the reference
 * outputs. */
class VitImportTest {
  @Test
  void huggingFaceClassifierFloat32() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls"), null);
    assertEquals(WeightsFormat.SAFETENSORS, b.report().format());
    VitConfig c = b.model().getVit();
    assertEquals(32, c.getImageSize());
    assertEquals(8, c.getPatchSize());
    assertEquals(32, c.getWidth());
    assertEquals(2, c.getDepth());
    assertEquals(4, c.getHeads());
    assertEquals(2f, c.getMlpRatio());
    assertEquals(1e-6f, c.getLayerNormEps());
    assertEquals(Gelu.GELU_EXACT, c.getGelu());
    assertTrue(c.getQkvBias());
    assertFalse(c.getPreLogits());
    assertEquals(5, b.headClasses());
    assertNull(b.vocab());
    assertTrue(b.report().layout().contains("ViTForImageClassification"), b.report().layout());
    ModelFixtures.Outputs out = runVit(b);
    assertClose("vit hf_cls logits", out.logits(), "vit/logits.npy");
    assertClose("vit hf_cls features", out.features(), "vit/features.npy");
  }

  @Test
  void huggingFaceClassifierFloat16() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls_fp16/model.safetensors"), null);
    assertTrue(b.report().dtypes().containsKey("F16"), b.report().dtypes().toString());
    assertTrue(b.report().toString().contains("widened to float32"), b.report().toString());
    assertClose("vit hf_cls_fp16 logits", runVit(b).logits(), "vit/logits_fp16_weights.npy");
  }

  @Test
  void huggingFaceClassifierBfloat16() {
    LoadedBackbone b = Backbones.load(weights("vit/hf_cls_bf16"), null);
    assertTrue(b.report().dtypes().containsKey("BF16"), b.report().dtypes().toString());
    assertClose("vit hf_cls_bf16 logits", runVit(b).logits(), "vit/logits_bf16_weights.npy");
  }

  @Test
  void googleNpz() {
    LoadedBackbone b = Backbones.load(weights("vit/google.npz"), null);
    assertEquals(WeightsFormat.GOOGLE_NPZ, b.report().format());
    assertEquals(4, b.model().getVit().getHeads());
    assertEquals(5, b.headClasses());
    assertFalse(b.model().getVit().getPreLogits());
    ModelFixtures.Outputs out = runVit(b);
    assertClose("vit google.npz logits", out.logits(), "vit/logits.npy");
    assertClose("vit google.npz features", out.features(), "vit/features.npy");
  }

  @Test
  void googleNpzWithPreLogits() {
    LoadedBackbone b = Backbones.load(weights("vit_pre/google.npz"), null);
    assertTrue(b.model().getVit().getPreLogits());
    assertTrue(b.tensors().containsKey("backbone/pre_logits/weight"));
    ModelFixtures.Outputs out = runVit(b);
    assertClose("vit_pre google.npz logits", out.logits(), "vit_pre/logits.npy");
    assertClose("vit_pre google.npz features", out.features(), "vit_pre/features.npy");
  }

  @Test
  void huggingFaceVitModelPoolerIsPreLogits() {
    LoadedBackbone b = Backbones.load(weights("vit_pre/hf_model"), null);
    assertTrue(b.model().getVit().getPreLogits());
    assertEquals(0, b.headClasses());
    assertTrue(b.report().layout().contains("ViTModel"), b.report().layout());
    assertFalse(b.tensors().keySet().stream().anyMatch(n -> n.startsWith("head/")));
    assertClose("vit_pre hf_model features", runVit(b).features(), "vit_pre/features.npy");
  }
}
