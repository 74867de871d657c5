package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Expected pixels are worked by hand; torchvision 0.14 gives the same on these images. */
class CenterCropTest {
  private static final SplittableRandom RNG = new SplittableRandom(0);

  @Test
  void cropsTheMiddleWhenTheMarginIsEven() {
    // 4x4 -> 2x2: offsets round(2 / 2.0) = 1
    RgbImage out = new CenterCrop(2, 2).apply(Images.numbered(4, 4), RNG);
    assertEquals(Images.gray(new int[][] {{12, 13}, {22, 23}}), out);
  }

  @Test
  void roundsAnOddMarginHalfToEven() {
    // 5 -> 2: round(1.5) = 2; 7 -> 2: round(2.5) = 2 (Python rounds half to even).
    RgbImage fromFive = new CenterCrop(2, 2).apply(Images.numbered(5, 5), RNG);
    assertEquals(Images.gray(new int[][] {{23, 24}, {33, 34}}), fromFive);
    RgbImage fromSeven = new CenterCrop(2, 2).apply(Images.numbered(7, 7), RNG);
    assertEquals(Images.gray(new int[][] {{23, 24}, {33, 34}}), fromSeven);
  }

  @Test
  void cropsEachAxisIndependently() {
    // 6x3 -> 3x1: left round(1.5) = 2, top round(1.0) = 1
    RgbImage out = new CenterCrop(3, 1).apply(Images.numbered(6, 3), RNG);
    assertEquals(Images.gray(new int[][] {{13, 14, 15}}), out);
  }

  @Test
  void padsWithBlackWhenTheCropIsLarger() {
    // 2x1 -> 4x3: pad left (4-2)//2 = 1, right 1, top (3-1)//2 = 1, bottom 1.
    RgbImage out = new CenterCrop(4, 3).apply(Images.gray(new int[][] {{7, 9}}), RNG);
    assertEquals(Images.gray(new int[][] {{0, 0, 0, 0}, {0, 7, 9, 0}, {0, 0, 0, 0}}), out);
  }

  @Test
  void putsTheExtraPaddingPixelAfterTheImage() {
    // 1x1 -> 4x4: pad before (4-1)//2 = 1, after (4-1+1)//2 = 2.
    RgbImage out = new CenterCrop(4, 4).apply(Images.gray(new int[][] {{5}}), RNG);
    assertEquals(5, out.get(1, 1, 0));
    assertEquals(5, out.get(1, 1, 2));
    int sum = 0;
    for (byte b : out.pixels()) {
      sum += b & 0xFF;
    }
    assertEquals(15, sum, "all other pixels are black");
  }

  @Test
  void padsOneAxisAndCropsTheOther() {
    // 4x2 -> 2x4: height padded by 1 above and below, width cropped at round(1.0) = 1.
    RgbImage out = new CenterCrop(2, 4).apply(Images.numbered(4, 2), RNG);
    assertEquals(Images.gray(new int[][] {{0, 0}, {2, 3}, {12, 13}, {0, 0}}), out);
  }

  @Test
  void returnsTheImageWhenItAlreadyHasTheSize() {
    RgbImage image = Images.numbered(3, 2);
    assertSame(image, new CenterCrop(3, 2).apply(image, RNG));
  }
}
