package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static tfpeft.model.weights.Fixtures.assertUsageError;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading arrays.npz (written by numpy) and the broken archives from the fixture script. */
class NpzReaderTest {
  private static final String FILE = "arrays.npz";
  private static final String KERNEL = "Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel";

  @TempDir Path dir;

  static Stream<String> tensorNames() {
    return Fixtures.tensorNames(FILE).stream();
  }

  /** Covers little/big-endian f2/f4/f8, Fortran order, .npy versions 2 and 3, stored/deflated. */
  @ParameterizedTest
  @MethodSource("tensorNames")
  void everyEntryReadsAsNumpysFloat32Bits(String name) {
    Fixtures.assertBitsEqual(Fixtures.expectedTensor(FILE, name),
        NpzReader.read(Fixtures.path(FILE)).get(name));
  }

  @Test
  void tensorNamesAreEntryNamesWithoutTheNpyExtension() {
    List<String> names = NpzReader.read(Fixtures.path(FILE)).names();
    assertEquals(KERNEL, names.get(0));
    assertEquals(13, names.size());
  }

  @Test
  void entriesThatAreNotArraysAreSkipped() {
    assertFalse(NpzReader.read(Fixtures.path(FILE)).names().stream()
        .anyMatch(n -> n.startsWith("notes")));
  }

  @Test
  void aSubsetLoadsOnlyTheAcceptedEntries() {
    TensorFile file = NpzReader.read(Fixtures.path(FILE), n -> n.startsWith("Transformer/"));
    assertEquals(List.of(KERNEL), file.names());
  }

  @Test
  void writerOutputRoundTripsStoredAndDeflated() {
    List<NamedTensor> tensors = List.of(SafetensorsWriterTest.awkward("a/b/kernel"),
        new NamedTensor("scale", new long[] {}, new float[] {-1.5f}));
    for (boolean compress : new boolean[] {false, true}) {
      Path file = dir.resolve("w" + compress + ".npz");
      NpzWriter.write(file, tensors, compress);
      TensorFile read = NpzReader.read(file);
      assertEquals(List.of("a/b/kernel", "scale"), read.names());
      Fixtures.assertBitsEqual(tensors.get(0), read.get("a/b/kernel"));
      Fixtures.assertBitsEqual(tensors.get(1), read.get("scale"));
    }
  }

  @Test
  void aTruncatedArchiveIsReportedAsSuch() {
    assertUsageError(() -> NpzReader.read(Fixtures.path("broken/truncated.npz")),
        "truncated.npz", "not a valid .npz", "truncated or corrupt");
  }

  @Test
  void aFileThatIsNotAZipIsReportedAsSuch() {
    assertUsageError(() -> NpzReader.read(Fixtures.path("broken/not_a_zip.npz")),
        "not_a_zip.npz", "not a valid .npz");
  }

  @Test
  void anEntryShorterThanItsHeaderNamesTheEntry() {
    assertUsageError(() -> NpzReader.read(Fixtures.path("broken/truncated_entry.npz")),
        "truncated_entry.npz", "entry 'kernel.npy'", "promises 48 bytes", "only 38");
  }

  @Test
  void corruptCompressedDataNamesTheEntry() {
    assertUsageError(() -> NpzReader.read(Fixtures.path("broken/corrupt_deflate.npz")),
        "corrupt_deflate.npz", "entry 'kernel.npy'", "truncated or corrupt");
  }

  @Test
  void aBadNpyHeaderNamesTheEntry() {
    assertUsageError(() -> NpzReader.read(Fixtures.path("broken/bad_header_entry.npz")),
        "bad_header_entry.npz", "entry 'bad.npy'", "not a valid dictionary", "Flase");
  }

  @Test
  void aBadEntryCanBeLeftOutOfASubset() {
    TensorFile file = NpzReader.read(Fixtures.path("broken/bad_header_entry.npz"),
        "ok"::equals);
    assertEquals(3, file.get("ok").size());
  }

  @Test
  void aPytorchCheckpointIsRecognisedAndNamed() throws IOException {
    Path file = dir.resolve("pytorch_model.bin");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(new byte[] {(byte) 0x80, 2, '.'});
      zip.closeEntry();
    }
    assertUsageError(() -> NpzReader.read(file), "pytorch_model.bin", "PyTorch checkpoint",
        "safetensors");
  }

  @Test
  void aZipWithoutArraysIsNotAnNpz() throws IOException {
    Path file = dir.resolve("docs.zip");
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("readme.txt"));
      zip.closeEntry();
    }
    assertUsageError(() -> NpzReader.read(file), "docs.zip", "no .npy arrays");
  }
}
