package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.Gelu;

/** Each layer on a tiny input against values worked by hand. */
class LayersTest {
  /** Builds {@code layer} on a constant input, runs it after {@code setup}, returns the output. */
  static float[] run(float[] input, long[] shape, Function<Net, Function<Operand<TFloat32>,
      Operand<TFloat32>>> layer, java.util.function.BiConsumer<Net, Session> setup, float rate) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      Operand<TFloat32> x = net.tf().constant(Shape.of(shape), DataBuffers.of(input));
      Operand<TFloat32> y = layer.apply(net).apply(x);
      try (Session s = new Session(g)) {
        s.initialize();
        setup.accept(net, s);
        try (TFloat32 r = TFloat32.scalarOf(rate); TInt64 seed = TInt64.vectorOf(3, 4);
            var out = s.runner().feed(net.dropPathRate(), r).feed(net.stepSeed(), seed)
                .fetch(y).run()) {
          TFloat32 t = (TFloat32) out.get(0);
          float[] v = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(v);
          return v;
        }
      }
    }
  }

  static float[] run(float[] input, long[] shape,
      Function<Net, Function<Operand<TFloat32>, Operand<TFloat32>>> layer) {
    return run(input, shape, layer, (n, s) -> {}, 0f);
  }

  @Test
  void linearIsXTimesWeightPlusBias() {
    float[] y = run(new float[] {1, 2}, new long[] {1, 2},
        net -> x -> Linear.apply(net, "backbone/", "fc", x, 2, 3, true, Init.zeros()),
        (net, s) -> {
          VariableValues.assign(s, net.variable("backbone/fc/weight"),
              new float[] {1, 2, 3, 4, 5, 6});
          VariableValues.assign(s, net.variable("backbone/fc/bias"), new float[] {0.5f, 0, -1});
        }, 0f);
    // [1, 2] x [[1, 2, 3], [4, 5, 6]] + [0.5, 0, -1]
    assertArrayEquals(new float[] {9.5f, 12f, 14f}, y, 1e-6f);
  }

  @Test
  void linearKeepsLeadingDimensions() {
    float[] in = new float[2 * 3 * 2];
    in[0] = 1;
    float[] y = run(in, new long[] {2, 3, 2},
        net -> x -> Linear.apply(net, "backbone/", "fc", x, 2, 4, false, Init.ones()));
    assertEquals(2 * 3 * 4, y.length);
    assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, java.util.Arrays.copyOf(y, 8));
  }

  @Test
  void layerNormStandardizesTheLastAxisWithBiasedVariance() {
    float[] y = run(new float[] {1, 2, 3, 4}, new long[] {1, 4},
        net -> x -> LayerNorm.apply(net, "backbone/ln", x, 4, 0f));
    // mean 2.5, variance 1.25
    float s = (float) Math.sqrt(1.25);
    assertArrayEquals(new float[] {-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s}, y, 1e-6f);
  }

  @Test
  void layerNormAppliesGainAndBias() {
    float[] y = run(new float[] {0, 2}, new long[] {1, 2},
        net -> x -> LayerNorm.apply(net, "backbone/ln", x, 2, 1e-6f),
        (net, s) -> {
          VariableValues.assign(s, net.variable("backbone/ln/gamma"), new float[] {2, 3});
          VariableValues.assign(s, net.variable("backbone/ln/beta"), new float[] {1, 1});
        }, 0f);
    // normalized [-1, 1] (eps 1e-6 moves it by 5e-7)
    assertArrayEquals(new float[] {-1f, 4f}, y, 1e-5f);
  }

  @Test
  void geluVariantsAtOneAndMinusOne() {
    float[] in = {1, -1};
    // Phi(1) = 0.8413447461
    assertArrayEquals(new float[] {0.8413447f, -0.1586553f},
        run(in, new long[] {2}, net -> x -> Activations.gelu(net.tf(), x, Gelu.GELU_EXACT)),
        1e-6f);
    // 0.5 (1 + tanh(sqrt(2/pi) * 1.044715)) = 0.8411920
    assertArrayEquals(new float[] {0.8411920f, -0.1588080f},
        run(in, new long[] {2}, net -> x -> Activations.gelu(net.tf(), x, Gelu.GELU_TANH)),
        1e-6f);
    // sigmoid(1.702) = 0.8457951
    assertArrayEquals(new float[] {0.8457951f, -0.1542049f},
        run(in, new long[] {2}, net -> x -> Activations.gelu(net.tf(), x, Gelu.QUICK_GELU)),
        1e-6f);
  }

  @Test
  void attentionAveragesValuesByScaledDotProductWeights() {
    // one head of width 2, identity projections, no biases: out = softmax(q k^T / sqrt 2) v
    TransformerSpec spec = new TransformerSpec("", 2, 1, 1, 4, false, 1e-6f, Gelu.GELU_EXACT,
        false);
    float[] in = {1, 0, 0, 1};
    float[] eye = {1, 0, 0, 1};
    float[] y = run(in, new long[] {1, 2, 2},
        net -> x -> Attention.apply(net, "block0", x, 2, spec, null),
        (net, s) -> {
          for (String p : new String[] {"q", "k", "v", "out"}) {
            VariableValues.assign(s, net.variable("backbone/block0/attn/" + p + "/weight"), eye);
          }
        }, 0f);
    double a = Math.exp(1 / Math.sqrt(2));
    float w = (float) (a / (a + 1));
    // token 0 attends to itself with weight w, to token 1 with 1 - w; and symmetrically
    assertArrayEquals(new float[] {w, 1 - w, 1 - w, w}, y, 1e-6f);
  }

  @Test
  void causalMaskKeepsTokensFromSeeingTheFuture() {
    TransformerSpec spec = new TransformerSpec("text/", 1, 1, 1, 4, false, 1e-6f,
        Gelu.GELU_EXACT, true);
    float[] y = run(new float[] {1, 2, 3}, new long[] {1, 3, 1},
        net -> x -> Attention.apply(net, "text/block0", x, 3, spec,
            Attention.causalMask(net.tf(), 3)),
        (net, s) -> {
          VariableValues.assign(s, net.variable("backbone/text/block0/attn/q/weight"),
              new float[] {0});
          for (String p : new String[] {"k", "v", "out"}) {
            VariableValues.assign(s, net.variable("backbone/text/block0/attn/" + p + "/weight"),
                new float[] {1});
          }
        }, 0f);
    // zero queries: uniform attention over the visible prefix: 1, (1+2)/2, (1+2+3)/3
    assertArrayEquals(new float[] {1f, 1.5f, 2f}, y, 1e-6f);
  }

  @Test
  void dropPathIsTheIdentityAtRateZeroAndDropsOrScalesWholeSamples() {
    float[] in = new float[8 * 2];
    java.util.Arrays.fill(in, 1f);
    assertArrayEquals(in, run(in, new long[] {8, 1, 2},
        net -> x -> DropPath.apply(net, x, 1f), (n, s) -> {}, 0f));
    float[] y = run(in, new long[] {8, 1, 2}, net -> x -> DropPath.apply(net, x, 1f),
        (n, s) -> {}, 0.5f);
    for (int i = 0; i < 8; i++) {
      assertEquals(y[2 * i], y[2 * i + 1], "one decision per sample");
      assertEquals(true, y[2 * i] == 0f || y[2 * i] == 2f, "dropped, or kept and scaled by 2");
    }
  }
}
