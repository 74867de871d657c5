package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading dtypes.safetensors, written from the format specification by the fixture script. */
class SafetensorsReaderTest {
  private static final String FILE = "dtypes.safetensors";

  static Stream<String> tensorNames() {
    return Fixtures.tensorNames(FILE).stream();
  }

  @ParameterizedTest
  @MethodSource("tensorNames")
  void everyDtypeReadsAsNumpysFloat32Bits(String name) {
    TensorFile file = SafetensorsReader.read(Fixtures.path(FILE));
    Fixtures.assertBitsEqual(Fixtures.expectedTensor(FILE, name), file.get(name));
  }

  @Test
  void tensorsKeepTheHeaderOrder() {
    TensorFile file = SafetensorsReader.read(Fixtures.path(FILE));
    assertEquals(List.of("f32", "f16", "f16_3d", "bf16", "f64", "i64", "i32", "i16", "i8", "u8",
        "bool", "scalar", "empty"), file.names());
  }

  @Test
  void scalarsHaveAnEmptyShapeAndOneElement() {
    NamedTensor scalar = SafetensorsReader.read(Fixtures.path(FILE)).get("scalar");
    assertEquals(0, scalar.rank());
    assertArrayEquals(new float[] {2.5f}, scalar.data());
  }

  @Test
  void emptyTensorsKeepTheirShape() {
    NamedTensor empty = SafetensorsReader.read(Fixtures.path(FILE)).get("empty");
    assertArrayEquals(new long[] {0, 4}, empty.shape());
    assertEquals(0, empty.size());
  }

  @Test
  void metadataIsReadWithoutTheTensors() {
    assertEquals(Map.of("format", "pt", "made_by", "make_weight_fixtures.py"),
        SafetensorsReader.readMetadata(Fixtures.path(FILE)));
  }

  @Test
  void metadataTravelsWithTheTensorFile() {
    assertEquals("pt", SafetensorsReader.read(Fixtures.path(FILE)).metadata().get("format"));
  }

  @Test
  void headerListsDtypesShapesAndOffsets() {
    SafetensorsHeader header = SafetensorsReader.readHeader(Fixtures.path(FILE));
    SafetensorsHeader.Entry bf16 = header.entries().get(3);
    assertEquals("bf16", bf16.name());
    assertEquals(ElementType.BF16, bf16.type());
    assertEquals(2L * bf16.elementCount(), bf16.end() - bf16.begin());
    assertEquals(0, header.dataStart() % 8, "the data buffer starts 8-byte aligned");
  }

  @Test
  void aSubsetLoadsOnlyTheNamedTensors() {
    TensorFile file = SafetensorsReader.read(Fixtures.path(FILE), Set.of("f16", "i8")::contains);
    assertEquals(List.of("f16", "i8"), file.names());
    Fixtures.assertBitsEqual(Fixtures.expectedTensor(FILE, "i8"), file.get("i8"));
  }

  @Test
  void anEmptySubsetReadsNothing() {
    assertEquals(0, SafetensorsReader.read(Fixtures.path(FILE), name -> false).size());
  }

  @Test
  void aMissingTensorIsNamedWithTheFileAndTheClosestNames() {
    TensorFile file = SafetensorsReader.read(Fixtures.path(FILE));
    Fixtures.assertUsageError(() -> file.get("f16_3D"), "dtypes.safetensors", "'f16_3D'",
        "closest: 'f16_3d'");
  }

  @Test
  void aMissingFileIsAUsageError() {
    Path missing = Fixtures.path(FILE).resolveSibling("nope.safetensors");
    Fixtures.assertUsageError(() -> SafetensorsReader.read(missing), "nope.safetensors",
        "not found");
  }

  @Test
  void anUnsupportedDtypeIsSkippedWhenNotRequested() {
    TensorFile file = SafetensorsReader.read(Fixtures.path("broken/unsupported_dtype.safetensors"),
        name -> !name.equals("scale"));
    assertArrayEquals(new float[] {0, 1, 2, 3}, file.get("weight").data());
    assertNull(SafetensorsReader.readHeader(
        Fixtures.path("broken/unsupported_dtype.safetensors")).entries().get(1).type());
    assertTrue(file.metadata().isEmpty());
  }
}
