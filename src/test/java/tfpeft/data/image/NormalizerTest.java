package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;

class NormalizerTest {
  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  @Test
  void unitDividesBy255InFloat() {
    Normalizer n = Normalizer.unit();
    assertEquals(0f, n.value(0, 0));
    assertEquals(1f, n.value(1, 255));
    assertEquals(0.2f, n.value(2, 51));
    assertEquals(0.501960813999176f, n.value(0, 128));
  }

  /** Expected values are numpy float32 evaluations of (x / 255 - mean) / std, as torch computes. */
  @Test
  void meanStdMatchesTorchvisionFloat32() {
    Normalizer n = Normalizer.meanStd(IMAGENET_MEAN, IMAGENET_STD);
    assertEquals(-0x1.0f177ap+1f, n.value(0, 0));
    assertEquals(0x1.2f5e64p-4f, n.value(0, 128));
    assertEquals(0x1.1fdc3ap+1f, n.value(0, 255));
    assertEquals(-0x1.02549ep+1f, n.value(1, 1));
    assertEquals(0x1.a4369p-3f, n.value(1, 128));
    assertEquals(0x1.b4ba78p-2f, n.value(2, 128));
    assertEquals(0x1.51eb86p+1f, n.value(2, 255));
  }

  @Test
  void writesHwcAtTheOffsetAndNothingElse() {
    RgbImage image = new RgbImage(2, 1, new byte[] {0, 51, (byte) 255, 102, 0, 51});
    float[] dst = new float[9];
    dst[0] = -7f;
    dst[8] = -7f;
    Normalizer.unit().write(image, dst, 1);
    assertArrayEquals(new float[] {-7f, 0f, 0.2f, 1f, 0.4f, 0f, 0.2f, 0f, -7f}, dst);
  }

  @Test
  void toArrayEqualsWriteAtZero() {
    RgbImage image = ResamplerTest.randomImage(4, 3, 5);
    Normalizer n = Normalizer.meanStd(IMAGENET_MEAN, IMAGENET_STD);
    float[] written = new float[36];
    n.write(image, written, 0);
    assertArrayEquals(written, n.toArray(image));
  }

  @Test
  void rejectsADestinationThatIsTooShort() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> Normalizer.unit().write(RgbImage.blank(2, 2), new float[12], 1));
  }

  @Test
  void rejectsNonPositiveOrNonFiniteStd() {
    float[] mean = {0.5f, 0.5f, 0.5f};
    for (float bad : new float[] {0f, -0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
      TfpeftException e = assertThrows(TfpeftException.class,
          () -> Normalizer.meanStd(mean, new float[] {0.5f, bad, 0.5f}));
      assertEquals(TfpeftException.USAGE, e.exitCode());
    }
  }

  @Test
  void rejectsMeanOrStdOfTheWrongLength() {
    assertThrows(TfpeftException.class,
        () -> Normalizer.meanStd(new float[] {0.5f}, new float[] {0.5f, 0.5f, 0.5f}));
  }

  @Test
  void copiesItsParameters() {
    float[] mean = {0.5f, 0.5f, 0.5f};
    Normalizer n = Normalizer.meanStd(mean, new float[] {0.5f, 0.5f, 0.5f});
    mean[0] = 0f;
    assertEquals(1f, n.value(0, 255));
  }
}
