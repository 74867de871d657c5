package tfpeft.data.image;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/** The PLTE chunk of a PNG, read from its bytes, and the once-per-file palette warnings. */
final class PngPalette {
  private PngPalette() {}

  /**
   * The number of palette entries the PNG's PLTE chunk holds (its length / 3), or 256 where no
   * PLTE is found before the image data (the decoder has already accepted the file).
   */
  static int entries(byte[] png) {
    int p = 8;
    while (p + 8 <= png.length) {
      long length = ((png[p] & 0xFFL) << 24) | ((png[p + 1] & 0xFF) << 16)
          | ((png[p + 2] & 0xFF) << 8) | (png[p + 3] & 0xFF);
      String type = new String(png, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (type.equals("PLTE")) {
        return (int) Math.min(256, length / 3);
      }
      if (type.equals("IDAT") || length > png.length) {
        break;
      }
      p += 12 + (int) length;
    }
    return 256;
  }

  /** Warnings said once per source (the first 1,000 sources remembered), to a settable sink. */
  static final class Warnings {
    private static final int REMEMBERED = 1000;
    private volatile Consumer<String> sink = System.err::println;
    private final Set<String> said = Collections.synchronizedSet(new LinkedHashSet<>());

    void sink(Consumer<String> s) {
      sink = s;
    }

    void once(String source, String message) {
      if (said.size() < REMEMBERED && said.add(source)) {
        sink.accept("warning: " + message);
      }
    }
  }
}
