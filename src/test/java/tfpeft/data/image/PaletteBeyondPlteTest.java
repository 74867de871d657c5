package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * A PNG whose pixels index past its PLTE: Pillow 9.4 reads index i beyond the palette as its
 * initial gray ramp, (i, i, i). Measured with Pillow on this very file (a 4 x 1, 8-bit palette
 * image, PLTE (10, 20, 30), (40, 50, 60), indices 0, 1, 2, 200):
 * {@code Image.open(f).convert('RGB').getdata()} gave (10, 20, 30), (40, 50, 60), (2, 2, 2),
 * (200, 200, 200). The JDK's reader pads the palette with its last entry instead.
 */
class PaletteBeyondPlteTest {
  private static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
    crc.update(data);
    return b.putInt((int) crc.getValue()).array();
  }

  static byte[] png() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(4).putInt(1)
        .put(new byte[] {8, 3, 0, 0, 0}).array()));
    out.writeBytes(chunk("PLTE", new byte[] {10, 20, 30, 40, 50, 60}));
    Deflater d = new Deflater();
    d.setInput(new byte[] {0, 0, 1, 2, (byte) 200});
    d.finish();
    byte[] z = new byte[64];
    int n = d.deflate(z);
    out.writeBytes(chunk("IDAT", java.util.Arrays.copyOf(z, n)));
    out.writeBytes(chunk("IEND", new byte[0]));
    return out.toByteArray();
  }

  @Test
  void indicesBeyondThePaletteReadAsPillowsGrayRampWithOneWarning() {
    List<String> warnings = new ArrayList<>();
    ImageDecoder.setWarnings(warnings::add);
    try {
      RgbImage img = ImageDecoder.decode(png(), "beyond.png");
      int[][] want = {{10, 20, 30}, {40, 50, 60}, {2, 2, 2}, {200, 200, 200}};
      for (int x = 0; x < 4; x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(want[x][c], img.get(x, 0, c), "pixel " + x + ", channel " + c);
        }
      }
      ImageDecoder.decode(png(), "beyond.png");
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("beyond.png: palette index 2")
          && warnings.get(0).contains("the 2 entries of the PNG's PLTE"), warnings.get(0));
    } finally {
      ImageDecoder.setWarnings(System.err::println);
    }
  }
}
