package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tfpeft.TfpeftException;

class ImageDecoderTest {
  /**
   * Largest JPEG sample difference from Pillow allowed. Measured: 0 on every fixture with Debian's
   * OpenJDK, which links the same system libjpeg-turbo as Pillow; JDK builds that bundle IJG
   * libjpeg 6b use the same ISLOW IDCT and fancy upsampling, so at most rounding noise is expected.
   */
  private static final int JPEG_TOLERANCE = 1;

  static Stream<Arguments> pillowDecodes() {
    List<Arguments> out = new ArrayList<>();
    for (JsonElement e : Fixtures.json("decode/index.json").getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      out.add(Arguments.of(c.get("file").getAsString(), c.get("kind").getAsString(),
          c.get("lossless").getAsBoolean(), Fixtures.image(c)));
    }
    return out.stream();
  }

  /**
   * Expected pixels are Pillow's {@code convert('RGB')}, except for the 16-bit PNGs, where they
   * are round(v / 257) of the stored samples: Pillow keeps only the high byte of 16-bit colour
   * and clips 16-bit gray to 255, and the decoder deliberately rounds instead.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("pillowDecodes")
  void decodesEveryKindToWhatPillowDecodes(
      String file, String kind, boolean lossless, RgbImage expected) {
    RgbImage actual = ImageDecoder.decode(Fixtures.bytes("decode/" + file), file);
    assertEquals(expected.width(), actual.width(), "width");
    assertEquals(expected.height(), actual.height(), "height");
    if (lossless) {
      assertEquals(expected, actual, () -> Fixtures.firstDifference(expected, actual));
    } else {
      int diff = Fixtures.maxAbsDiff(expected, actual);
      assertTrue(diff <= JPEG_TOLERANCE, () -> "max abs difference from Pillow " + diff + " on "
          + file + ": this JDK (" + System.getProperty("java.vendor") + " "
          + System.getProperty("java.runtime.version") + ") decodes JPEG differently from "
          + "Pillow's libjpeg-turbo; exactness holds where the JDK's JPEG reader links the "
          + "system libjpeg-turbo (Debian's and Ubuntu's OpenJDK)");
    }
  }

  @Test
  void convertsCmykWithPillowsFormula() {
    JsonObject table = Fixtures.json("decode/cmyk2rgb.json");
    for (JsonElement row : table.getAsJsonArray("rows")) {
      int c = row.getAsJsonArray().get(0).getAsInt();
      int k = row.getAsJsonArray().get(1).getAsInt();
      int r = row.getAsJsonArray().get(2).getAsInt();
      assertEquals(r, ColorConversions.cmykToRgb(c, k), "C=" + c + " K=" + k);
    }
  }

  @Test
  void ignoresExifOrientation() {
    RgbImage image = ImageDecoder.decode(Fixtures.bytes("decode/jpeg-exif-rotated.jpg"), "x.jpg");
    assertEquals(19, image.width());
    assertEquals(13, image.height());
  }

  @Test
  void decodesAPathLikeItsBytes() {
    var path = Fixtures.path("decode/png-rgb8.png");
    assertEquals(ImageDecoder.decode(Fixtures.bytes("decode/png-rgb8.png"), "b"),
        ImageDecoder.decode(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty.jpg", "truncated.png", "truncated.jpg", "truncated-header.jpg",
      "missing-eoi.jpg",
      "header-only.jpg", "corrupt-idat.png", "random.bin", "notes.txt", "image.tif"})
  void rejectsBadInputWithAUsageErrorNamingTheSource(String file) {
    String source = "lists/train.txt:17 (bad/" + file + ")";
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageDecoder.decode(Fixtures.bytes("bad/" + file), source));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith(source + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("; "), "message says what to do: " + e.getMessage());
  }

  @Test
  void saysWhenTheFileIsEmpty() {
    assertMessageContains("bad/empty.jpg", "empty");
  }

  @Test
  void saysWhenJpegDataIsTruncated() {
    assertMessageContains("bad/truncated.jpg", "truncated");
    assertMessageContains("bad/truncated-header.jpg", "truncated");
    assertMessageContains("bad/header-only.jpg", "truncated");
  }

  @Test
  void rejectsAJpegMissingOnlyItsEndMarkerAsPillowDoes() {
    assertMessageContains("bad/missing-eoi.jpg", "truncated");
  }

  @Test
  void saysWhenTheFileIsText() {
    assertMessageContains("bad/notes.txt", "text file");
  }

  @Test
  void namesAnUnsupportedImageFormat() {
    assertMessageContains("bad/image.tif", "TIFF image is not supported");
  }

  @Test
  void namesAMissingFile() {
    var missing = Fixtures.path("decode").resolve("no-such-image.jpg");
    TfpeftException e = assertThrows(TfpeftException.class, () -> ImageDecoder.decode(missing));
    assertTrue(e.getMessage().startsWith(missing + ": no such file"), e.getMessage());
  }

  @Test
  void rejectsAJpegWithMorePixelsThanTheLimitBeforeDecoding() {
    byte[] jpeg = Fixtures.bytes("decode/jpeg-baseline-444.jpg");
    int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
    for (int i = sof + 5; i < sof + 9; i++) {
      jpeg[i] = (byte) 0xFF; // 65535 x 65535
    }
    TfpeftException e =
        assertThrows(TfpeftException.class, () -> ImageDecoder.decode(jpeg, "huge.jpg"));
    assertTrue(e.getMessage().contains("65535x65535"), e.getMessage());
  }

  @Test
  void readsGraySamplesWithoutGammaConversion() {
    BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(0, 0, 0, 100);
    gray.getRaster().setSample(1, 0, 0, 201);
    RgbImage rgb = ImageDecoder.fromBufferedImage(gray);
    assertArrayEquals(new byte[] {100, 100, 100, (byte) 201, (byte) 201, (byte) 201},
        rgb.pixels());
    assertNotEquals(100, gray.getRGB(0, 0) & 0xFF, "getRGB would have changed the value");
  }

  @Test
  void roundsSixteenBitSamplesToEightBits() {
    BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
    int[] samples = {0, 128, 129, 65535};
    gray.getRaster().setPixels(0, 0, 4, 1, samples);
    RgbImage rgb = ImageDecoder.fromBufferedImage(gray);
    assertEquals(0, rgb.get(0, 0, 0));
    assertEquals(0, rgb.get(1, 0, 1), "128 / 257 = 0.498 rounds down");
    assertEquals(1, rgb.get(2, 0, 2), "129 / 257 = 0.502 rounds up");
    assertEquals(255, rgb.get(3, 0, 0));
  }

  @Test
  void dropsAlphaWithoutCompositing() {
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x10_20_30_40);
    assertArrayEquals(new byte[] {0x20, 0x30, 0x40}, ImageDecoder.fromBufferedImage(argb).pixels());
  }

  @Test
  void looksUpPaletteEntries() {
    byte[] r = {10, 20};
    byte[] g = {30, 40};
    byte[] b = {50, 60};
    BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY,
        new IndexColorModel(1, 2, r, g, b));
    indexed.getRaster().setSample(1, 0, 0, 1);
    assertArrayEquals(new byte[] {10, 30, 50, 20, 40, 60},
        ImageDecoder.fromBufferedImage(indexed).pixels());
  }

  @Test
  void bufferedImageConversionRoundTrips() {
    RgbImage image = ResamplerTest.randomImage(5, 3, 9);
    assertEquals(image, ImageDecoder.fromBufferedImage(ImageDecoder.toBufferedImage(image)));
  }

  private static void assertMessageContains(String fixture, String text) {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageDecoder.decode(Fixtures.bytes(fixture), fixture));
    assertTrue(e.getMessage().contains(text), e.getMessage());
  }

  private static int indexOf(byte[] data, byte a, byte b) {
    for (int i = 0; i + 1 < data.length; i++) {
      if (data[i] == a && data[i + 1] == b) {
        return i;
      }
    }
    throw new AssertionError("marker not found");
  }
}
