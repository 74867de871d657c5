package tfpeft.data.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** Reads the files written by tools/make_image_fixtures.py. */
final class Fixtures {
  private static final String ROOT = "/fixtures/image/";

  private Fixtures() {}

  static byte[] bytes(String relative) {
    try (InputStream in = Fixtures.class.getResourceAsStream(ROOT + relative)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + relative
            + "; regenerate with /usr/bin/python3 tools/make_image_fixtures.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path path(String relative) {
    try {
      return Path.of(Fixtures.class.getResource(ROOT + relative).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject json(String relative) {
    return JsonParser.parseReader(
            new InputStreamReader(
                new java.io.ByteArrayInputStream(bytes(relative)), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  static RgbImage image(JsonObject o) {
    return new RgbImage(
        o.get("width").getAsInt(),
        o.get("height").getAsInt(),
        Base64.getDecoder().decode(o.get("rgb").getAsString()));
  }

  /** Largest per-sample absolute difference of two same-size images. */
  static int maxAbsDiff(RgbImage a, RgbImage b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new AssertionError("sizes differ: " + a + " vs " + b);
    }
    int max = 0;
    byte[] pa = a.pixels();
    byte[] pb = b.pixels();
    for (int i = 0; i < pa.length; i++) {
      max = Math.max(max, Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF)));
    }
    return max;
  }

  /** Where two images first differ, for assertion messages. */
  static String firstDifference(RgbImage expected, RgbImage actual) {
    byte[] e = expected.pixels();
    byte[] a = actual.pixels();
    for (int i = 0; i < e.length; i++) {
      if (e[i] != a[i]) {
        int pixel = i / 3;
        return String.format("first difference at (x=%d, y=%d, c=%d): expected %d, got %d",
            pixel % expected.width(), pixel / expected.width(), i % 3, e[i] & 0xFF, a[i] & 0xFF);
      }
    }
    return "identical";
  }
}
