package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writer to reader round trips, and the shape of what the writer puts on disk. */
class SafetensorsWriterTest {
  @TempDir Path dir;

  /** Values that exercise every corner of the narrowing: NaN, infinities, -0, subnormals. */
  static NamedTensor awkward(String name) {
    float[] data = {0f, -0f, 1f / 3, -2.5e-7f, 1e-45f, 65504f, 65520f, 3.4e38f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 123456.789f};
    return new NamedTensor(name, new long[] {3, 4}, data);
  }

  @Test
  void float32RoundTripsBitExactly() {
    Path file = dir.resolve("w.safetensors");
    List<NamedTensor> tensors = List.of(awkward("a.weight"),
        new NamedTensor("a.bias", new long[] {}, new float[] {7f}));
    SafetensorsWriter.write(file, tensors);
    TensorFile read = SafetensorsReader.read(file);
    assertEquals(List.of("a.weight", "a.bias"), read.names());
    Fixtures.assertBitsEqual(tensors.get(0), read.get("a.weight"));
    Fixtures.assertBitsEqual(tensors.get(1), read.get("a.bias"));
  }

  @Test
  void float16OutputReadsBackAsTheRoundedValues() {
    Path file = dir.resolve("h.safetensors");
    NamedTensor t = awkward("t");
    SafetensorsWriter.write(file, List.of(t), ElementType.F16, Map.of());
    float[] back = SafetensorsReader.read(file).get("t").data();
    for (int i = 0; i < back.length; i++) {
      float rounded = HalfFloats.halfToFloat(HalfFloats.floatToHalf(t.data()[i]));
      assertEquals(Float.floatToRawIntBits(rounded), Float.floatToRawIntBits(back[i]));
    }
    assertEquals(Float.POSITIVE_INFINITY, back[6], "65520 rounds up past the largest half");
    assertEquals(ElementType.F16, SafetensorsReader.readHeader(file).entries().get(0).type());
  }

  @Test
  void bfloat16OutputReadsBackAsTheRoundedValues() {
    Path file = dir.resolve("b.safetensors");
    NamedTensor t = awkward("t");
    SafetensorsWriter.write(file, List.of(t), ElementType.BF16, Map.of());
    float[] back = SafetensorsReader.read(file).get("t").data();
    for (int i = 0; i < back.length; i++) {
      float rounded = HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(t.data()[i]));
      assertEquals(Float.floatToRawIntBits(rounded), Float.floatToRawIntBits(back[i]));
    }
  }

  @Test
  void metadataRoundTrips() {
    Path file = dir.resolve("m.safetensors");
    Map<String, String> meta = Map.of("format", "pt", "note", "a <b> & \"c\"");
    SafetensorsWriter.write(file, List.of(awkward("t")), ElementType.F32, meta);
    assertEquals(meta, SafetensorsReader.readMetadata(file));
  }

  @Test
  void tensorsLargerThanOneChunkRoundTrip() {
    Path file = dir.resolve("big.safetensors");
    float[] data = new float[ChunkReader.CHUNK_BYTES / 2 + 3];
    for (int i = 0; i < data.length; i++) {
      data[i] = i * 0.25f;
    }
    NamedTensor t = new NamedTensor("big", new long[] {data.length}, data);
    SafetensorsWriter.write(file, List.of(t), ElementType.F16, Map.of());
    assertEquals(t.data()[1000], SafetensorsReader.read(file).get("big").data()[1000]);
    SafetensorsWriter.write(file, List.of(t));
    assertEquals(t, SafetensorsReader.read(file).get("big"));
  }

  @Test
  void theHeaderIsPaddedSoTheDataStartsAligned() throws IOException {
    Path file = dir.resolve("p.safetensors");
    SafetensorsWriter.write(file, List.of(new NamedTensor("x", new long[] {1}, new float[] {1})));
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, (8 + headerLength) % 8);
    assertEquals(8 + headerLength + 4, bytes.length, "no holes and nothing after the data");
  }

  @Test
  void writingReplacesTheTargetAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("r.safetensors");
    Files.writeString(file, "old contents");
    SafetensorsWriter.write(file, List.of(awkward("t")));
    assertEquals(awkward("t"), SafetensorsReader.read(file).get("t"));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void writtenFilesGetTheUsualPermissionsNotOwnerOnly() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path reference = Files.writeString(dir.resolve("reference.txt"), "x");
    Path file = dir.resolve("p.safetensors");
    SafetensorsWriter.write(file, List.of(awkward("t")));
    assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(file));
  }

  @Test
  void integerOutputTypesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(
        dir.resolve("i.safetensors"), List.of(awkward("t")), ElementType.I32, Map.of()));
  }

  @Test
  void writtenFilesHaveTheReferenceHeaderFields() throws IOException {
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, List.of(new NamedTensor("w", new long[] {2}, new float[2])));
    byte[] bytes = Files.readAllBytes(file);
    int headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        new String(bytes, 8, headerLength, StandardCharsets.UTF_8).stripTrailing());
    assertArrayEquals(new float[2], SafetensorsReader.read(file).get("w").data());
  }
}
