package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MudptConfig;
import tfpeft.model.ModelVariable;

/**
 * Training the prompts by their prefix leaves every CLIP weight bit-identical, while the
 * prompts and the Injection Model move.
 */
class FrozenBackboneTest {
  @Test
  void sgdOnPeftVariablesLeavesTheBackboneBitIdentical() {
    try (TinyClip m = new TinyClip(net -> MudptPrompts.build(net, TinyClip.spec(),
        MudptConfig.newBuilder().setLength(2).setDepth(2).setInit("a photo")
            .setInjection(InjectionKind.ATTENTION).build(), TinyClip.tokenizer(), null))) {
      Ops tf = m.net.tf();
      Operand<TFloat32> loss = tf.math.mean(tf.math.mean(tf.math.square(m.logits),
          tf.constant(1)), tf.constant(0));
      List<ModelVariable> trainable = m.net.variables("peft/");
      List<Operand<TFloat32>> values = new ArrayList<>();
      trainable.forEach(v -> values.add(v.value()));
      Gradients grads = tf.gradients(loss, values);
      List<Operand<?>> steps = new ArrayList<>();
      for (int i = 0; i < trainable.size(); i++) {
        Operand<TFloat32> g = grads.<TFloat32>dy(i);
        steps.add(tf.train.applyGradientDescent(trainable.get(i).variable(),
            tf.constant(0.5f), g));
      }
      Map<String, float[]> backbone = snapshot(m, "backbone/");
      Map<String, float[]> peft = snapshot(m, "peft/");
      for (int step = 0; step < 3; step++) {
        m.run(steps);
      }
      Map<String, float[]> after = snapshot(m, "backbone/");
      for (String name : backbone.keySet()) {
        assertArrayEquals(bits(backbone.get(name)), bits(after.get(name)), name);
      }
      for (var e : snapshot(m, "peft/").entrySet()) {
        assertFalse(Arrays.equals(peft.get(e.getKey()), e.getValue()), e.getKey() + " moved");
      }
    }
  }

  static Map<String, float[]> snapshot(TinyClip m, String prefix) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ModelVariable v : m.net.variables(prefix)) {
      out.put(v.name(), m.read(v.name()));
    }
    return out;
  }

  static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
