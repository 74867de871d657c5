package tfpeft.model.weights;

import static tfpeft.model.weights.Fixtures.assertUsageError;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Each deliberately broken file from the fixture script fails with a usage error naming the file
 * and, where one is at fault, the tensor.
 */
class SafetensorsBrokenFilesTest {
  private static Path broken(String name) {
    return Fixtures.path("broken/" + name);
  }

  @Test
  void aTruncatedFileNamesTheTensorCutOff() {
    assertUsageError(() -> SafetensorsReader.read(broken("truncated.safetensors")),
        "truncated.safetensors", "tensor 'bias'", "past the end", "truncated");
  }

  @Test
  void aHeaderLengthBeyondTheFileIsReported() {
    assertUsageError(() -> SafetensorsReader.read(broken("header_too_long.safetensors")),
        "header_too_long.safetensors", "1000000", "larger than the rest of the file");
  }

  @Test
  void aHeaderThatIsNotJsonSaysWhere() {
    assertUsageError(() -> SafetensorsReader.read(broken("header_not_json.safetensors")),
        "header_not_json.safetensors", "not valid JSON", "line 1, column 72",
        "at the end of 'ta_offsets\": [0, 24]},,}'");
  }

  @Test
  void offsetsOutsideTheBufferNameTheTensor() {
    assertUsageError(() -> SafetensorsReader.read(broken("offsets_out_of_range.safetensors")),
        "offsets_out_of_range.safetensors", "tensor 'weight'", "[0, 1000]", "24-byte");
  }

  @Test
  void overlappingOffsetsNameBothTensors() {
    assertUsageError(() -> SafetensorsReader.read(broken("overlapping_offsets.safetensors")),
        "overlapping_offsets.safetensors", "'weight'", "'bias'", "overlap",
        "lies about offsets");
  }

  @Test
  void aByteSizeThatDisagreesWithTheShapeIsReported() {
    assertUsageError(() -> SafetensorsReader.read(broken("size_mismatch.safetensors")),
        "size_mismatch.safetensors", "tensor 'weight'", "needs 24 bytes", "span 20",
        "lies about offsets");
  }

  @Test
  void anUnknownDtypeNamesTheTensorAndTheDtype() {
    assertUsageError(() -> SafetensorsReader.read(broken("unknown_dtype.safetensors")),
        "unknown_dtype.safetensors", "tensor 'weight'", "unknown dtype \"F31\"");
  }

  @Test
  void anUnsupportedDtypeFailsWhenItsTensorIsRead() {
    assertUsageError(() -> SafetensorsReader.read(broken("unsupported_dtype.safetensors")),
        "unsupported_dtype.safetensors", "tensor 'scale'", "F8_E4M3", "not supported");
  }

  @Test
  void anUnsupportedDtypeStillHasItsOffsetsChecked() {
    Path file = broken("unsupported_dtype_size_mismatch.safetensors");
    assertUsageError(() -> SafetensorsReader.read(file, "weight"::equals),
        "unsupported_dtype_size_mismatch.safetensors", "tensor 'scale'", "dtype U32",
        "lies about offsets");
  }

  @Test
  void headerOnlyReadsCheckTheHeaderToo() {
    assertUsageError(() -> SafetensorsReader.readMetadata(broken("size_mismatch.safetensors")),
        "size_mismatch.safetensors", "tensor 'weight'");
  }

  @Test
  void aZipFileIsNotMistakenForSafetensors() {
    assertUsageError(() -> SafetensorsReader.read(Fixtures.path("arrays.npz")),
        "arrays.npz", "not a safetensors file");
  }
}
