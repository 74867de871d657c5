package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * What an adapter-sized checkpoint stores: every variable but the backbone's frozen ones, a
 * backbone variable the run trains being known by its optimizer slot.
 */
class CheckpointBaseTest {
  static final long[] SHAPE = {2};

  static List<String> stored(String... variables) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      for (String v : variables) {
        net.variable(v, SHAPE, Init.zeros());
      }
      return CheckpointBase.stored(net).stream().map(ModelVariable::name).toList();
    }
  }

  static boolean leavesOut(String... variables) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      for (String v : variables) {
        net.variable(v, SHAPE, Init.zeros());
      }
      return CheckpointBase.leavesOut(net);
    }
  }

  @Test
  void aBackboneVariableWithAnOptimizerSlotIsStoredAndAFrozenOneIsNot() {
    // BitFit: the bias trains (its Adam slots exist), the weight beside it is frozen
    assertEquals(List.of("backbone/block0/attn/q/bias", "head/head/weight",
        "optimizer/backbone/block0/attn/q/bias/m", "optimizer/backbone/block0/attn/q/bias/v"),
        stored("backbone/block0/attn/q/weight", "backbone/block0/attn/q/bias",
            "head/head/weight", "optimizer/backbone/block0/attn/q/bias/m",
            "optimizer/backbone/block0/attn/q/bias/v"));
  }

  @Test
  void aSlotOfAVariableWhoseNameExtendsABackboneNameDoesNotKeepIt() {
    // "q/w2" trains; "q/w" does not, though its name is a prefix of the other's
    assertEquals(List.of("backbone/q/w2", "optimizer/backbone/q/w2/m"),
        stored("backbone/q/w", "backbone/q/w2", "optimizer/backbone/q/w2/m"));
  }

  @Test
  void theMethodsFrozenStateOutsideTheBackboneIsStored() {
    // TIP-Adapter's cache is computed, not trained: no slot, kept all the same
    assertEquals(List.of("peft/tip_adapter/keys"), stored("backbone/ln/scale",
        "peft/tip_adapter/keys"));
  }

  @Test
  void aFullFineTuneLeavesNothingOut() {
    assertFalse(leavesOut("backbone/a", "backbone/b", "optimizer/backbone/a/m",
        "optimizer/backbone/b/m"));
    assertTrue(leavesOut("backbone/a", "backbone/b", "optimizer/backbone/a/m"));
  }
}
