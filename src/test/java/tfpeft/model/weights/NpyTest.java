package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.weights.Fixtures.assertUsageError;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single .npy files: the fixture arrays, the writer, and bad headers. */
class NpyTest {
  @TempDir Path dir;

  @Test
  void anImageBatchReadsAsNumpysValues() {
    NamedTensor images = NpyReader.read(Fixtures.path("images.npy"));
    assertEquals("images", images.name());
    Fixtures.assertBitsEqual(Fixtures.expectedTensor("images.npy", "images"), images);
  }

  @Test
  void aBigEndianFortranOrderArrayIsTransposedToRowMajor() {
    NamedTensor t = NpyReader.read(Fixtures.path("fortran_big_f8.npy"));
    Fixtures.assertBitsEqual(Fixtures.expectedTensor("fortran_big_f8.npy", "fortran_big_f8"), t);
  }

  @Test
  void theHeaderAloneGivesDtypeOrderAndShape() {
    NpyHeader h = NpyReader.readHeader(Fixtures.path("fortran_big_f8.npy"));
    assertEquals(">f8", h.descr());
    assertEquals(ElementType.F64, h.type());
    assertEquals(ByteOrder.BIG_ENDIAN, h.byteOrder());
    assertTrue(h.fortranOrder());
    assertArrayEquals(new long[] {3, 4}, h.shape());
  }

  @Test
  void writerOutputRoundTrips() {
    Path file = dir.resolve("logits.npy");
    NamedTensor t = SafetensorsWriterTest.awkward("logits");
    NpyWriter.write(file, t);
    Fixtures.assertBitsEqual(t, NpyReader.read(file));
  }

  @Test
  void writerHeadersLookLikeNumpysAndAlignTheData() throws IOException {
    Path file = dir.resolve("x.npy");
    NpyWriter.write(file, new long[] {5}, new float[5]);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(0, (bytes.length - 20) % 64, "data starts 64-byte aligned");
    String dict = new String(bytes, 10, bytes.length - 30, StandardCharsets.ISO_8859_1);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", dict.strip());
    assertTrue(dict.endsWith("\n"));
  }

  @Test
  void columnMajorDataIsReorderedByTheLastAxisFastest() {
    // logical [[1, 2, 3], [4, 5, 6]] stored column by column
    float[] rowMajor = NpyReader.columnToRowMajor(new float[] {1, 4, 2, 5, 3, 6},
        new long[] {2, 3});
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, rowMajor);
  }

  @Test
  void aBadHeaderIsQuotedWithWhereItGoesWrong() {
    assertUsageError(() -> NpyReader.read(Fixtures.path("broken/bad_header.npy")),
        "bad_header.npy", "not a valid dictionary", "character 34", "Flase");
  }

  @Test
  void anUnsupportedDtypeIsNamed() {
    assertUsageError(() -> NpyReader.read(Fixtures.path("broken/complex.npy")), "complex.npy",
        "dtype '<c8'", "not supported");
  }

  @Test
  void aFileWithoutTheMagicIsNotAnArray() throws IOException {
    Path file = dir.resolve("plain.npy");
    Files.writeString(file, "1,2,3\n");
    assertUsageError(() -> NpyReader.read(file), "plain.npy", "magic");
  }

  @Test
  void aStructuredDtypeIsRefused() throws IOException {
    Path file = dir.resolve("rec.npy");
    String dict = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
    byte[] header = NpyHeader.float32Header(new long[] {1});
    byte[] text = (dict + " ".repeat(header.length - 11 - dict.length()) + "\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(text, 0, header, 10, text.length);
    Files.write(file, header);
    assertUsageError(() -> NpyReader.read(file), "rec.npy", "structured dtype");
  }
}
