package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import tfpeft.TfpeftException;

/**
 * The files written by tools/make_weight_fixtures.py and the float32 bits numpy computed for them
 * (expected.json), plus assertions shared by the tests.
 */
final class Fixtures {
  private static JsonObject expected;

  private Fixtures() {}

  /** A fixture file, e.g. "dtypes.safetensors" or "broken/truncated.npz". */
  static Path path(String name) {
    URL url = Fixtures.class.getResource("/fixtures/weights/" + name);
    if (url == null) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_weight_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static synchronized JsonObject expected() {
    if (expected == null) {
      try {
        expected = JsonParser.parseString(Files.readString(path("expected.json"),
            StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return expected;
  }

  /** Names of the tensors numpy recorded for a fixture file, for parameterized tests. */
  static List<String> tensorNames(String file) {
    return new ArrayList<>(expected().getAsJsonObject(file).getAsJsonObject("tensors").keySet());
  }

  /** numpy's float32 values for a tensor of a fixture file, as a tensor named {@code name}. */
  static NamedTensor expectedTensor(String file, String name) {
    JsonObject section = expected().getAsJsonObject(file);
    JsonObject t = section.has("tensors")
        ? section.getAsJsonObject("tensors").getAsJsonObject(name) : section;
    JsonArray shape = t.getAsJsonArray("shape");
    JsonArray bits = t.getAsJsonArray("bits");
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).getAsLong();
    }
    float[] data = new float[bits.size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = Float.intBitsToFloat((int) bits.get(i).getAsLong());
    }
    return new NamedTensor(name, dims, data);
  }

  /** Same name and shape, and the same float32 bit patterns (NaN payloads and -0.0 included). */
  static void assertBitsEqual(NamedTensor expected, NamedTensor actual) {
    assertEquals(expected.name(), actual.name());
    assertArrayEquals(expected.shape(), actual.shape(), "shape of " + expected.name());
    float[] e = expected.data();
    float[] a = actual.data();
    assertEquals(e.length, a.length);
    for (int i = 0; i < e.length; i++) {
      int index = i;
      int eb = Float.floatToRawIntBits(e[i]);
      int ab = Float.floatToRawIntBits(a[i]);
      assertEquals(eb, ab, () -> String.format("%s element %d: expected 0x%08x, got 0x%08x",
          expected.name(), index, eb, ab));
    }
  }

  /**
   * Runs {@code action}, expects a usage error (exit code 2), and checks that its message contains
   * each of {@code parts}; returns the message.
   */
  static String assertUsageError(Executable action, String... parts) {
    TfpeftException e = assertThrows(TfpeftException.class, action);
    assertEquals(TfpeftException.USAGE, e.exitCode(), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks \"" + part + "\": "
          + e.getMessage());
    }
    return e.getMessage();
  }
}
