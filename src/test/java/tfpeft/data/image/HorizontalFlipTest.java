package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HorizontalFlipTest {
  @Test
  void flipMirrorsEachRow() {
    RgbImage in = new RgbImage(3, 2, new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9,
        10, 11, 12, 13, 14, 15, 16, 17, 18});
    RgbImage expected = new RgbImage(3, 2, new byte[] {
        7, 8, 9, 4, 5, 6, 1, 2, 3,
        16, 17, 18, 13, 14, 15, 10, 11, 12});
    assertEquals(expected, HorizontalFlip.flip(in));
  }

  @Test
  void flipTwiceIsTheIdentity() {
    RgbImage image = ResamplerTest.randomImage(7, 4, 1);
    assertEquals(image, HorizontalFlip.flip(HorizontalFlip.flip(image)));
  }

  @Test
  void probabilityOneAlwaysFlips() {
    RgbImage image = Images.numbered(3, 1);
    HorizontalFlip t = new HorizontalFlip(1.0);
    SplittableRandom rng = new SplittableRandom(4);
    for (int i = 0; i < 100; i++) {
      assertEquals(HorizontalFlip.flip(image), t.apply(image, rng));
    }
  }

  @Test
  void probabilityZeroNeverFlipsButStillDraws() {
    RgbImage image = Images.numbered(3, 1);
    SplittableRandom rng = new SplittableRandom(4);
    assertSame(image, new HorizontalFlip(0.0).apply(image, rng));
    SplittableRandom reference = new SplittableRandom(4);
    reference.nextDouble();
    assertEquals(reference.nextLong(), rng.nextLong());
  }

  @Test
  void flipsAboutHalfTheTimeAtOneHalf() {
    RgbImage image = Images.numbered(3, 1);
    HorizontalFlip t = new HorizontalFlip(0.5);
    SplittableRandom rng = new SplittableRandom(11);
    int flipped = 0;
    for (int i = 0; i < 10000; i++) {
      if (t.apply(image, rng) != image) {
        flipped++;
      }
    }
    assertTrue(flipped > 4800 && flipped < 5200, "flipped " + flipped);
  }

  @Test
  void rejectsAProbabilityOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(1.5));
    assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(Double.NaN));
  }
}
