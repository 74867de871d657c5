package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;

/** Images that would cost more than their size to decode, and files that are not images. */
class HostileImagesTest {
  /** A PNG of {@code width} x {@code height} 8-bit RGB whose pixel data is one empty IDAT. */
  static byte[] pngHeader(int width, int height) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(b);
    o.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit, truecolour, deflate, no filter, no interlace
    chunk(o, "IHDR", ihdr.toByteArray());
    chunk(o, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(o, "IEND", new byte[0]);
    return b.toByteArray();
  }

  static void chunk(DataOutputStream o, String type, byte[] data) throws Exception {
    o.writeInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    o.write(t);
    o.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    o.writeInt((int) crc.getValue());
  }

  @Test
  void aPngUnderThePixelCapButOverTheDecodeMemoryIsRefusedNamingBoth() throws Exception {
    // 169 million pixels: under the pixel cap, but 6 bytes a pixel to decode is 967 MiB
    byte[] png = pngHeader(13000, 13000);
    assertTrue(13000L * 13000 < ImageDecoder.MAX_PIXELS);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageDecoder.decode(png, "list.txt:3 (huge.png)"));
    assertEquals(2, e.exitCode());
    assertEquals("list.txt:3 (huge.png): decoding this 13000x13000 PNG would take 967 MB (6"
        + " bytes a pixel), more than the 512 MB an image may take; downscale it before"
        + " training", e.getMessage());
  }

  @Test
  void aPngWithinTheDecodeMemoryIsDecodedAsBefore() throws Exception {
    // the limit admits 89 million pixels of 8-bit RGB: a small image is far from it
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageDecoder.decode(pngHeader(9000, 9000), "ok.png"));
    assertFalse(e.getMessage().contains("an image may take"), e.getMessage());
  }

  @Test
  void aTextFileIsNamedWithoutShowingWhatItSays() {
    byte[] secret = "api_key = hunter2\nsecond line\n".getBytes(StandardCharsets.UTF_8);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageDecoder.decode(secret, "list.txt:7 (../../etc/app.conf)"));
    assertEquals("list.txt:7 (../../etc/app.conf): this is a text file, not an image; check"
        + " that the path points at an image", e.getMessage());
  }
}
