package tfpeft.peft.prograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ProgradConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.TinyRuns;
import tfpeft.train.Trainer;

/** ProGrad through the trainer on a tiny CLIP, against CoOp on the same run. */
class ProgradTest {
  @TempDir static Path out;
  private static float[] coop;

  static final CoopConfig CONTEXT = CoopConfig.newBuilder().setNCtx(2).build();

  @Test
  void lambdaZeroTrainsTheContextExactlyAsCoop() throws Exception {
    assertArrayEquals(coop(), context("lambda0", MethodConfig.newBuilder().setPrograd(
        ProgradConfig.newBuilder().setPrompt(CONTEXT).setLambda(0)).build()), 0f);
  }

  /**
   * CoOp's class-specific context placed before the class name reaches the text tower through
   * the text-embedding hook: ProGrad's switch must pass it on, or its context would not train.
   */
  @Test
  void lambdaZeroTrainsAClassSpecificFrontContextExactlyAsCoop() throws Exception {
    CoopConfig front = CONTEXT.toBuilder().setCsc(true)
        .setClassTokenPosition(tfpeft.config.proto.ClassTokenPosition.FRONT).build();
    assertArrayEquals(context("coop-front", MethodConfig.newBuilder().setCoop(front).build()),
        context("lambda0-front", MethodConfig.newBuilder().setPrograd(
            ProgradConfig.newBuilder().setPrompt(front).setLambda(0)).build()), 0f);
  }

  @Test
  void theProjectionChangesWhatTheContextLearns() throws Exception {
    assertFalse(java.util.Arrays.equals(coop(), context("lambda1", MethodConfig.newBuilder()
        .setPrograd(ProgradConfig.newBuilder().setPrompt(CONTEXT)).build())),
        "ProGrad's context is CoOp's");
  }

  @Test
  void aLambdaAboveOneIsAConfigErrorAtItsField() {
    String text = String.join("\n",
        "model { clip { image_size: 32 patch_size: 4 vision_width: 16 vision_depth: 1",
        "  vision_heads: 2 text_width: 16 text_depth: 1 text_heads: 2 context_length: 24",
        "  vocab_size: 726 embed_dim: 8 } }",
        "data { synthetic { task: \"shape\" } }",
        "method { prograd { lambda: 1.5 } }", "");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ConfigLoader.parse(text, "run.pbtxt", List.of()).resolved());
    assertEquals("run.pbtxt:5:20: method.prograd.lambda: must be <= 1, got 1.5",
        e.getMessage());
  }

  @Test
  void coopsChecksNameTheFieldUnderProgradsPrompt() {
    RunConfig run = TinyRuns.maskClip(out.resolve("check"), MaskConfig.getDefaultInstance())
        .build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> new Prograd(
        ProgradConfig.newBuilder().setPrompt(CoopConfig.newBuilder().setDepth(9)).build())
        .checkConfig(run, (path, message) -> new IllegalArgumentException(path + ": "
            + message)));
    assertEquals("method.prograd.prompt.depth: 9 exceeds model.clip.text_depth = 1",
        e.getMessage());
  }

  private static float[] coop() throws Exception {
    if (coop == null) {
      coop = context("coop", MethodConfig.newBuilder().setCoop(CONTEXT).build());
    }
    return coop;
  }

  /** The trained context of a tiny run of {@code method}. */
  private static float[] context(String name, MethodConfig method) throws Exception {
    RunConfig c = TinyRuns.maskClip(out.resolve(name), MaskConfig.getDefaultInstance())
        .setMethod(method).build();
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8);
    new Trainer(c, "tiny.pbtxt", new Trainer.Options(Trainer.Resume.OVERWRITE, sink, false),
        MethodRegistry.builtIn()).run();
    CheckpointStore.Checkpoint last = new CheckpointStore(out.resolve(name).resolve("tiny")
        .resolve("checkpoints")).latest().orElseThrow();
    return tfpeft.model.weights.TensorBundleReader.read(last.variables(),
        n -> n.equals("peft/coop/ctx")).tensors().iterator().next().data();
  }
}
