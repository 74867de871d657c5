package tfpeft.peft.compacter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.CompacterConfig;
import tfpeft.config.proto.CompacterPlacement;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.TinyModels;

/**
 * What Compacter itself decides: one rule tensor for every adapter, where the adapters go, what
 * it counts as stored, and which widths its Kronecker products allow.
 */
class CompacterTest {
  static final String PREFIX = "peft/compacter/";
  static final CompacterConfig SMALL = CompacterConfig.newBuilder().setDim(4).setPhmDim(2)
      .build();

  /** The method's variables and their start values on the tiny ViT (two blocks, width 8). */
  private static Map<String, float[]> startValues(CompacterConfig c) {
    AtomicReference<Map<String, float[]>> out = new AtomicReference<>();
    TinyModels.logits(7, net -> net.addHook(new PhmAdapter(PREFIX, c)),
        (net, s) -> out.set(TinyModels.values(net, s)));
    out.get().keySet().removeIf(k -> !k.startsWith(PREFIX));
    return out.get();
  }

  private static Compacter method(CompacterConfig c) {
    return new Compacter(MethodConfig.newBuilder().setCompacter(c).build());
  }

  @Test
  void oneRuleTensorServesTheAdaptersOfEveryBlock() {
    Map<String, float[]> v = startValues(SMALL);
    assertEquals(List.of(PREFIX + "phm_rule"),
        v.keySet().stream().filter(k -> k.endsWith("phm_rule")).toList());
    assertEquals(2 * 2 * 2, v.get(PREFIX + "phm_rule").length);
    assertEquals(List.of("block0/attn/out", "block0/mlp/fc2", "block1/attn/out",
        "block1/mlp/fc2"), v.keySet().stream().filter(k -> k.endsWith("/down_left"))
        .map(k -> k.substring(PREFIX.length(), k.length() - "/down_left".length())).toList());
  }

  @Test
  void mlpOnlyPlacementPutsAdaptersAfterTheMlpAlone() {
    Map<String, float[]> v = startValues(SMALL.toBuilder()
        .setPlacement(CompacterPlacement.MLP_ONLY).build());
    assertTrue(v.keySet().stream().noneMatch(k -> k.contains("/attn/")), v.keySet().toString());
    assertEquals(2, v.keySet().stream().filter(k -> k.endsWith("/up_right")).count());
  }

  @Test
  void theAccountingCountsTheSharedRulesOnceAsTheGraphHoldsThem() {
    CompacterConfig c = SMALL.toBuilder().setBias(true).setPhmRank(2).build();
    long held = startValues(c).values().stream().mapToLong(a -> a.length).sum();
    var accounting = method(c).accounting(ModelConfig.newBuilder().setVit(TinyModels.VIT)
        .build(), null).orElseThrow();
    assertEquals(held, accounting.trainableParameters());
    assertEquals(4 * held, accounting.storedBytes());
    assertEquals(4, accounting.positions());
  }

  @Test
  void aPhmDimThatDoesNotDivideTheWidthIsAnErrorAtItsField() {
    RunConfig run = RunConfig.newBuilder().setModel(ModelConfig.newBuilder()
        .setVit(TinyModels.VIT)).build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> method(SMALL.toBuilder()
        .setPhmDim(3).setDim(6).build()).checkConfig(run, (path, message) ->
            new IllegalArgumentException(path + ": " + message)));
    assertEquals("method.compacter.phm_dim: 3 does not divide model.vit.width = 8",
        e.getMessage());
  }

  @Test
  void aPhmDimThatDoesNotDivideTheBottleneckIsAnErrorAtItsField() {
    RunConfig run = RunConfig.newBuilder().setModel(ModelConfig.newBuilder()
        .setVit(TinyModels.VIT)).build();
    RuntimeException e = assertThrows(RuntimeException.class, () -> method(SMALL.toBuilder()
        .setDim(3).build()).checkConfig(run, (path, message) ->
            new IllegalArgumentException(path + ": " + message)));
    assertEquals("method.compacter.phm_dim: 2 does not divide method.compacter.dim = 3",
        e.getMessage());
  }

  @Test
  void aBottleneckWiderThanTheWidthIsAnErrorAtItsField() {
    RunConfig run = RunConfig.newBuilder().setModel(ModelConfig.newBuilder()
        .setVit(TinyModels.VIT)).build();
    method(SMALL.toBuilder().setDim(8).build()).checkConfig(run, (path, message) ->
        new IllegalArgumentException(path + ": " + message));
    RuntimeException e = assertThrows(RuntimeException.class, () -> method(SMALL.toBuilder()
        .setDim(2_000_000_000).build()).checkConfig(run, (path, message) ->
            new IllegalArgumentException(path + ": " + message)));
    assertEquals("method.compacter.dim: bottleneck 2000000000 exceeds the width 8 it reduces;"
        + " at most 8", e.getMessage());
  }
}
