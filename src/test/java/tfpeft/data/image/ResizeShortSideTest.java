package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Expected sizes and pixels are worked by hand; torchvision 0.14 gives the same. */
class ResizeShortSideTest {
  private static final SplittableRandom RNG = new SplittableRandom(0);

  @Test
  void scalesTheShortSideToSizeAndTruncatesTheLongSide() {
    // short 5 -> 3, long int(3 * 7 / 5) = int(4.2) = 4
    RgbImage out = new ResizeShortSide(3, Interpolation.BILINEAR).apply(RgbImage.blank(7, 5), RNG);
    assertEquals(4, out.width());
    assertEquals(3, out.height());
  }

  @Test
  void keepsOrientationForPortraitImages() {
    // short 4 -> 6, long int(6 * 9 / 4) = int(13.5) = 13
    RgbImage out = new ResizeShortSide(6, Interpolation.BILINEAR).apply(RgbImage.blank(4, 9), RNG);
    assertEquals(6, out.width());
    assertEquals(13, out.height());
  }

  @Test
  void returnsTheImageWhenTheShortSideAlreadyHasTheSize() {
    RgbImage image = Images.numbered(5, 3);
    assertSame(image, new ResizeShortSide(3, Interpolation.BICUBIC).apply(image, RNG));
  }

  @Test
  void nearestUpscaleRepeatsPixels() {
    // 2x1 -> short side 2: 4x2. Pillow's nearest steps 0.5 from 0.25: columns 0,0,1,1; rows 0,0.
    RgbImage out = new ResizeShortSide(2, Interpolation.NEAREST)
        .apply(Images.gray(new int[][] {{10, 200}}), RNG);
    assertEquals(Images.gray(new int[][] {{10, 10, 200, 200}, {10, 10, 200, 200}}), out);
  }

  @Test
  void bilinearHalvingAveragesPairsRoundingHalfUp() {
    // 2x2 -> short side 1: 1x1. Shrinking by 2 stretches the triangle filter to support 2, which
    // gives both pixels of an axis weight 1/2 (2^21 in 22-bit fixed point). Horizontal pass:
    // (10 + 21 + 1) / 2 = 16 and (12 + 23 + 1) / 2 = 18; vertical pass: (16 + 18 + 1) / 2 = 17.
    RgbImage in = Images.gray(new int[][] {{10, 21}, {12, 23}});
    RgbImage out = new ResizeShortSide(1, Interpolation.BILINEAR).apply(in, RNG);
    assertEquals(Images.gray(new int[][] {{17}}), out);
  }
}
