package tfpeft.peft.clipadapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.MethodRegistry;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ClipAdapterConfig;

/** CLIP-Adapter's config: what is refused, at which field, and what it counts as stored. */
class ClipAdapterConfigTest {
  static final String CLIP_RUN = String.join("\n",
      "model {",
      "  clip { image_size: 32 patch_size: 8 vision_width: 32 vision_depth: 1 vision_heads: 2",
      "         text_width: 32 text_depth: 1 text_heads: 2 embed_dim: 16 }",
      "}",
      "data { synthetic { task: \"shape\" layout: COOP } }",
      "");

  private static String error(String text) {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.parse(text, "run.pbtxt", List.of()).resolved());
    assertEquals(TfpeftException.USAGE, e.exitCode());
    return e.getMessage();
  }

  @Test
  void aResidualRatioAboveOneIsAnErrorAtItsField() {
    String msg = error(CLIP_RUN + "method {\n  clip_adapter { alpha: 1.5 }\n}\n");
    assertEquals("run.pbtxt:7:18: method.clip_adapter.alpha: must be <= 1, got 1.5", msg);
  }

  @Test
  void aTextRatioBelowZeroIsAnErrorAtItsField() {
    String msg = error(CLIP_RUN + "method { clip_adapter { text: true text_alpha: -0.1 } }\n");
    assertTrue(msg.contains("method.clip_adapter.text_alpha: must be >= 0"), msg);
  }

  @Test
  void noAdapterAtAllIsAnErrorAtVisual() {
    String msg = error(CLIP_RUN + "method { clip_adapter { visual: false } }\n");
    assertTrue(msg.contains("method.clip_adapter.visual: method.clip_adapter: visual and text"
        + " are both false"), msg);
  }

  @Test
  void aReductionAboveTheEmbeddingWidthIsAnErrorAtItsField() {
    String msg = error(CLIP_RUN + "method { clip_adapter { reduction: 32 } }\n");
    assertTrue(msg.contains("method.clip_adapter.reduction: method.clip_adapter: reduction 32"
        + " leaves no hidden unit of the 16-wide features"), msg);
  }

  @Test
  void onAVitItIsRefusedAsNeedingClip() {
    String msg = error(String.join("\n", "model { vit { image_size: 32 patch_size: 4 width: 64",
        " depth: 2 heads: 4 } }", "data { synthetic { task: \"shape\" } }",
        "method { clip_adapter { } }", ""));
    assertTrue(msg.contains("method.clip_adapter: needs a CLIP backbone"), msg);
  }

  @Test
  void itStoresTwoMatricesOfEmbedTimesEmbedOverReductionPerAdapter() {
    ModelConfig b16 = ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setEmbedDim(512))
        .build();
    AdapterAccounting visual = MethodRegistry.builtIn().create(MethodRegistry.defaultConfig(
        MethodConfig.MethodCase.CLIP_ADAPTER)).accounting(b16, null).orElseThrow();
    assertEquals(2L * 512 * 128, visual.trainableParameters());
    assertEquals(524_288L, visual.storedBytes());
    AdapterAccounting both = MethodRegistry.builtIn().create(MethodConfig.newBuilder()
        .setClipAdapter(ClipAdapterConfig.newBuilder().setText(true)).build())
        .accounting(b16, null).orElseThrow();
    assertEquals(2, both.positions());
    assertEquals(2 * 524_288L, both.storedBytes());
  }
}
