package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class ImageEncoderTest {
  @Test
  void pngRoundTripsExactly() {
    RgbImage image = ResamplerTest.randomImage(13, 7, 4);
    assertEquals(image, ImageDecoder.decode(ImageEncoder.png(image), "mem.png"));
  }

  @Test
  void jpegDecodesCloseToTheInput() {
    RgbImage smooth = Resampler.resize(ResamplerTest.randomImage(4, 4, 4), 64, 48,
        Interpolation.BICUBIC);
    RgbImage decoded = ImageDecoder.decode(ImageEncoder.jpeg(smooth, 0.95f), "mem.jpg");
    assertEquals(64, decoded.width());
    assertEquals(48, decoded.height());
    assertTrue(Fixtures.maxAbsDiff(smooth, decoded) < 40,
        "max diff " + Fixtures.maxAbsDiff(smooth, decoded));
  }

  @Test
  void lowerJpegQualityGivesSmallerFiles() {
    RgbImage image = ResamplerTest.randomImage(32, 32, 6);
    assertTrue(ImageEncoder.jpeg(image, 0.3f).length < ImageEncoder.jpeg(image, 0.95f).length);
  }

  @Test
  void rejectsJpegQualityOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class,
        () -> ImageEncoder.jpeg(RgbImage.blank(2, 2), 1.5f));
  }

  @Test
  void writePngWritesADecodableFile(@TempDir Path dir) {
    RgbImage image = ResamplerTest.randomImage(5, 6, 8);
    Path file = dir.resolve("preview.png");
    ImageEncoder.writePng(image, file);
    assertEquals(image, ImageDecoder.decode(file));
  }

  @Test
  void writePngIntoAMissingDirectoryNamesThePath(@TempDir Path dir) {
    Path file = dir.resolve("missing").resolve("preview.png");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageEncoder.writePng(RgbImage.blank(2, 2), file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }
}
