package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.weights.Fixtures.assertUsageError;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-memory types: shape checks, lookups and their messages. */
class TensorFileTest {
  private static final Path SOURCE = Path.of("ckpt", "vit.npz");

  private static NamedTensor tensor(String name, float... values) {
    return new NamedTensor(name, new long[] {values.length}, values);
  }

  @Test
  void aShapeThatDisagreesWithTheDataIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new NamedTensor("w", new long[] {2, 3}, new float[5]));
  }

  @Test
  void aNegativeDimensionIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new NamedTensor("w", new long[] {-1}, new float[0]));
  }

  @Test
  void shapesAreCopiedSoTheTensorCannotChangeUnderneath() {
    long[] shape = {2};
    NamedTensor t = new NamedTensor("w", shape, new float[2]);
    shape[0] = 7;
    t.shape()[0] = 9;
    assertEquals(2, t.dim(0));
  }

  @Test
  void tensorsPrintTheirNameAndShape() {
    assertEquals("a/kernel [2, 1] float32",
        new NamedTensor("a/kernel", new long[] {2, 1}, new float[2]).toString());
  }

  @Test
  void equalityComparesNamesShapesAndValues() {
    assertEquals(tensor("a", 1, 2), tensor("a", 1, 2));
    assertNotEquals(tensor("a", 1, 2), tensor("a", 1, 3));
    assertNotEquals(tensor("a", 1, 2), tensor("b", 1, 2));
  }

  @Test
  void aMissingTensorNamesTheFileAndTheNearestNames() {
    TensorFile file = new TensorFile(SOURCE, List.of(tensor("Transformer/encoder_norm/scale", 1),
        tensor("Transformer/encoder_norm/bias", 0), tensor("head/kernel", 1)));
    String message = assertUsageError(() -> file.get("Transformer/encoder_norm/scales"),
        SOURCE.toString(), "'Transformer/encoder_norm/scales'", "among the 3");
    assertEquals(0, message.indexOf(SOURCE.toString()));
    assertTrue(message.contains("closest: 'Transformer/encoder_norm/scale'"));
  }

  @Test
  void twoTensorsWithOneNameAreAnError() {
    assertUsageError(() -> new TensorFile(SOURCE, List.of(tensor("w", 1), tensor("w", 2))),
        SOURCE.toString(), "two tensors are named 'w'");
  }

  @Test
  void namesKeepTheirOrderAndCountsAddUp() {
    TensorFile file = new TensorFile(SOURCE, List.of(tensor("b", 1, 2), tensor("a", 3)),
        Map.of("k", "v"));
    assertEquals(List.of("b", "a"), file.names());
    assertEquals(3, file.elementCount());
    assertEquals("v", file.metadata().get("k"));
    assertTrue(file.find("c").isEmpty());
  }

  @Test
  void editDistanceCountsSingleCharacterEdits() {
    assertEquals(0, TensorFile.editDistance("kernel", "kernel"));
    assertEquals(1, TensorFile.editDistance("kernel", "kernels"));
    assertEquals(3, TensorFile.editDistance("kitten", "sitting"));
  }
}
