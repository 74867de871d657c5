package tfpeft.peft.adapterp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.AdapterPConfig;
import tfpeft.config.proto.AdapterPInit;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.TinyModels;

/** What Adapter-P itself decides: which variables it makes, how they start, what it stores. */
class AdapterPTest {
  static final String PREFIX = "peft/adapterp/";

  private static Map<String, float[]> startValues(AdapterPConfig c) {
    AtomicReference<Map<String, float[]>> out = new AtomicReference<>();
    TinyModels.logits(7, net -> net.addHook(new PfeifferAdapter(PREFIX, c)),
        (net, s) -> out.set(TinyModels.values(net, s)));
    out.get().keySet().removeIf(k -> !k.startsWith(PREFIX));
    return out.get();
  }

  @Test
  void withoutBiasesEachBlockHasADownAndAnUpMatrix() {
    Map<String, float[]> v = startValues(AdapterPConfig.newBuilder().setDim(2).build());
    assertEquals(List.of(PREFIX + "block0/mlp/down", PREFIX + "block0/mlp/up"),
        List.copyOf(v.keySet()).subList(0, 2));
    assertTrue(v.keySet().stream().noneMatch(k -> k.endsWith("_bias")), v.keySet().toString());
  }

  @Test
  void theDefaultStartDrawsDownAndUpFromNormalWithStd002() {
    Map<String, float[]> v = startValues(AdapterPConfig.newBuilder().setDim(4).build());
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (float[] values : v.values()) {
      for (float x : values) {
        sum += x;
        squares += x * x;
        n++;
      }
    }
    double std = Math.sqrt(squares / n - (sum / n) * (sum / n));
    assertTrue(std > 0.015 && std < 0.025, n + " values, std " + std);
  }

  @Test
  void zeroUpStartsFromThePretrainedModelExactly() {
    AdapterPConfig c = AdapterPConfig.newBuilder().setDim(2).setBias(true)
        .setInit(AdapterPInit.ZERO_UP).build();
    float[] base = TinyModels.logits(7, net -> {}, (net, s) -> {});
    float[] adapted = TinyModels.logits(7, net -> net.addHook(new PfeifferAdapter(PREFIX, c)),
        (net, s) -> {});
    assertArrayEquals(base, adapted);
  }

  @Test
  void biasesAddDimPlusWidthValuesPerBlockToTheAccounting() {
    ModelConfig vit = ModelConfig.newBuilder().setVit(TinyModels.VIT).build();
    AdapterPConfig c = AdapterPConfig.newBuilder().setDim(2).build();
    AdapterAccounting without = new AdapterP(MethodConfig.newBuilder().setAdapterp(c).build())
        .accounting(vit, null).orElseThrow();
    AdapterAccounting with = new AdapterP(MethodConfig.newBuilder().setAdapterp(c.toBuilder()
        .setBias(true)).build()).accounting(vit, null).orElseThrow();
    long width = TinyModels.VIT.getWidth();
    long blocks = TinyModels.VIT.getDepth();
    assertEquals(blocks * 2 * (width + width), without.trainableParameters());
    assertEquals(without.trainableParameters() + blocks * (2 + width),
        with.trainableParameters());
    assertEquals(4 * with.trainableParameters(), with.storedBytes());
  }
}
