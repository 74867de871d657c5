package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

class VariableValuesTest {
  /** Five variables of 3, 8, 1, 20 and 2 values, starting at zero. */
  static List<ModelVariable> variables(Net net) {
    List<ModelVariable> out = new ArrayList<>();
    long[][] shapes = {{3}, {2, 4}, {1}, {4, 5}, {2}};
    for (int i = 0; i < shapes.length; i++) {
      out.add(net.variable("v" + i, shapes[i], Init.zeros()));
    }
    return out;
  }

  static List<float[]> values(List<ModelVariable> vars) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      float[] v = new float[(int) vars.get(i).size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = 100 * i + k + 0.5f;
      }
      out.add(v);
    }
    return out;
  }

  @Test
  void batchesHoldAtMostTheLimitAndALargerVariableAlone() {
    try (Graph g = new Graph()) {
      List<ModelVariable> vars = variables(new Net(g, 0));
      // bytes 12, 32, 4, 80, 8
      assertEquals(List.of(List.of(0), List.of(1, 2), List.of(3), List.of(4)),
          VariableValues.batches(vars, 40));
      assertEquals(List.of(List.of(0, 1, 2, 3, 4)), VariableValues.batches(vars, 1 << 20));
    }
  }

  @Test
  void valuesAssignedAndReadInSeveralBatchesComeBackInOrder() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      List<ModelVariable> vars = variables(new Net(g, 0));
      s.initialize();
      List<float[]> values = values(vars);
      VariableValues.assignAll(s, vars, values, 40);
      List<String> names = new ArrayList<>();
      List<float[]> read = new ArrayList<>();
      VariableValues.readEach(s, vars, (v, x) -> {
        names.add(v.name());
        read.add(x);
      }, 40);
      assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), names);
      for (int i = 0; i < vars.size(); i++) {
        assertArrayEquals(values.get(i), read.get(i), names.get(i));
        assertArrayEquals(values.get(i), VariableValues.read(s, vars.get(i)), names.get(i));
      }
      assertEquals(List.of("v0", "v1", "v2", "v3", "v4"),
          List.copyOf(VariableValues.readAll(s, vars).keySet()));
    }
  }

  @Test
  void aWrongLengthIsRefusedBeforeAnyVariableIsAssigned() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      List<ModelVariable> vars = variables(new Net(g, 0));
      s.initialize();
      List<float[]> values = values(vars);
      values.set(3, new float[19]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> VariableValues.assignAll(s, vars, values, 40));
      assertEquals("v3 has 20 values, got 19", e.getMessage());
      assertArrayEquals(new float[3], VariableValues.read(s, vars.get(0)));
    }
  }
}
