package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.VptConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * The cross-entropy reaches every prompt of every layer and every weight of the Injection Model
 * (TensorFlow's C++ gradient registry, as the trainer uses it).
 */
class PromptGradientTest {
  static final int N = 2;
  static final int DEPTH = 3;

  @Test
  void deepCoopContextGetsAGradientAtEveryLayer() {
    check(net -> CoopPrompts.build(net, TinyClip.spec(), CoopConfig.newBuilder().setNCtx(N)
        .setDepth(DEPTH).build(), TinyClip.tokenizer(), null), 1);
  }

  @Test
  void vptPromptsGetAGradientAtEveryLayer() {
    check(net -> VptPrompts.build(net, TinyClip.spec().vision(), VptConfig.newBuilder()
        .setLength(N).setDepth(DEPTH).build()), 1);
  }

  @Test
  void mudptAttentionInjectionGetsAGradientEverywhere() {
    // prompts (2) + per branch: ln_pre, ln_1, ln_2, ln_post (2 each), q, v, out, fc1, fc2,
    // proj (2 each), k (1)
    check(mudpt(InjectionKind.ATTENTION), 2 + 2 * (8 + 12 + 1));
  }

  @Test
  void mudptLinearInjectionGetsAGradientEverywhere() {
    // prompts (2) + t2v/layer0, t2v/deep, v2t/deep (weight and bias each)
    check(mudpt(InjectionKind.LINEAR), 2 + 6);
  }

  @Test
  void mapleStyleCouplingGetsAGradientEverywhere() {
    check(mudpt(InjectionKind.ONE_WAY), 1 + 2);
  }

  static Function<Net, PromptSetup> mudpt(InjectionKind kind) {
    return net -> MudptPrompts.build(net, TinyClip.spec(), MudptConfig.newBuilder()
        .setLength(N).setDepth(DEPTH).setInjection(kind).setInit("").build(),
        TinyClip.tokenizer(), null);
  }

  /** Every peft/ variable, and every layer of each prompt stack, gets a finite nonzero gradient. */
  static void check(Function<Net, PromptSetup> attach, int variables) {
    try (TinyClip m = new TinyClip(attach)) {
      List<ModelVariable> trainable = m.net.variables("peft/");
      assertEquals(variables, trainable.size(), trainable.toString());
      Ops tf = m.net.tf();
      float[] labels = new float[TinyClip.IMAGES * TinyClip.CLASSES.size()];
      labels[0] = 1;
      labels[TinyClip.CLASSES.size() + 2] = 1;
      Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(m.logits,
          tf.constant(org.tensorflow.ndarray.Shape.of(TinyClip.IMAGES, TinyClip.CLASSES.size()),
              org.tensorflow.ndarray.buffer.DataBuffers.of(labels))).loss(), tf.constant(0));
      List<Operand<TFloat32>> values = new ArrayList<>();
      for (ModelVariable v : trainable) {
        values.add(v.value());
      }
      Gradients grads = tf.gradients(loss, values);
      List<Output<?>> outs = new ArrayList<>(grads.dy());
      List<float[]> got = m.run(outs);
      for (int i = 0; i < trainable.size(); i++) {
        ModelVariable v = trainable.get(i);
        float[] g = got.get(i);
        boolean stack = v.name().endsWith("prompts") || v.name().endsWith("ctx")
            || v.name().contains("per_layer");
        int parts = stack ? (int) v.shape().get(0) : 1;
        int per = g.length / parts;
        for (int p = 0; p < parts; p++) {
          double norm = 0;
          for (int j = p * per; j < (p + 1) * per; j++) {
            assertTrue(Float.isFinite(g[j]), v.name());
            norm += g[j] * g[j];
          }
          assertTrue(norm > 1e-20, v.name() + (stack ? " layer " + p : "") + " got no gradient");
        }
      }
    }
  }
}
