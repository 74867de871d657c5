package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fallback regions are worked by hand; torchvision 0.14's get_params gives the same. */
class RandomResizedCropTest {
  private static final RgbImage PHOTO = ResamplerTest.randomImage(500, 375, 3);

  @Test
  void sameSeedGivesTheSameOutput() {
    RandomResizedCrop t = new RandomResizedCrop(64, 0.08, 1.0, Interpolation.BILINEAR);
    assertEquals(
        t.apply(PHOTO, new SplittableRandom(42)), t.apply(PHOTO, new SplittableRandom(42)));
  }

  @Test
  void differentSeedsGiveDifferentRegions() {
    RandomResizedCrop t = new RandomResizedCrop(64, 0.08, 1.0, Interpolation.BILINEAR);
    Set<RandomResizedCrop.Region> regions = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      regions.add(t.sampleRegion(500, 375, new SplittableRandom(seed)));
    }
    assertTrue(regions.size() > 15, "regions: " + regions);
  }

  @Test
  void outputIsSizeBySizeAndEqualsResizingTheSampledRegion() {
    RandomResizedCrop t = new RandomResizedCrop(32, 0.08, 1.0, Interpolation.BICUBIC);
    RandomResizedCrop.Region r = t.sampleRegion(500, 375, new SplittableRandom(7));
    RgbImage expected = Resampler.resizeRegion(
        PHOTO, r.left(), r.top(), r.width(), r.height(), 32, 32, Interpolation.BICUBIC);
    assertEquals(expected, t.apply(PHOTO, new SplittableRandom(7)));
  }

  @Test
  void regionsStayInsideTheImageWithAreaAndRatioInRange() {
    // With scale at most 0.5 every first attempt fits a 500x375 image, so no fallback occurs and
    // the bounds hold up to the rounding of w and h (under 1% at these sizes).
    RandomResizedCrop t = new RandomResizedCrop(8, 0.25, 0.5, Interpolation.NEAREST);
    SplittableRandom rng = new SplittableRandom(1);
    double tolerance = 0.01;
    for (int i = 0; i < 5000; i++) {
      RandomResizedCrop.Region r = t.sampleRegion(500, 375, rng);
      assertTrue(r.left() >= 0 && r.top() >= 0 && r.width() > 0 && r.height() > 0
          && r.left() + r.width() <= 500 && r.top() + r.height() <= 375, r.toString());
      double scale = (double) r.width() * r.height() / (500 * 375);
      double ratio = (double) r.width() / r.height();
      assertTrue(scale >= 0.25 * (1 - tolerance) && scale <= 0.5 * (1 + tolerance), r.toString());
      assertTrue(ratio >= 0.75 * (1 - tolerance) && ratio <= 4.0 / 3.0 * (1 + tolerance),
          r.toString());
    }
  }

  @Test
  void drawsTopAndLeftAcrossTheWholeFreeRange() {
    RandomResizedCrop t = new RandomResizedCrop(8, 0.08, 0.1, Interpolation.NEAREST);
    SplittableRandom rng = new SplittableRandom(5);
    int minLeft = Integer.MAX_VALUE;
    int maxRight = 0;
    for (int i = 0; i < 2000; i++) {
      RandomResizedCrop.Region r = t.sampleRegion(500, 375, rng);
      minLeft = Math.min(minLeft, r.left());
      maxRight = Math.max(maxRight, r.left() + r.width());
    }
    assertTrue(minLeft <= 2 && maxRight >= 498, minLeft + " " + maxRight);
  }

  @Test
  void fallsBackToACentredCropWithTheRatioClampedForAWideImage() {
    // A 100x1 strip cannot hold 90% of its area at ratio <= 4/3, so all 10 attempts fail:
    // h = 1, w = round(1 * 4/3) = 1, left = (100 - 1) // 2 = 49.
    RandomResizedCrop t = new RandomResizedCrop(4, 0.9, 1.0, Interpolation.NEAREST);
    assertEquals(new RandomResizedCrop.Region(49, 0, 1, 1),
        t.sampleRegion(100, 1, new SplittableRandom(3)));
  }

  @Test
  void fallsBackToACentredCropWithTheRatioClampedForATallImage() {
    // w = 1, h = round(1 / (3/4)) = 1, top = (100 - 1) // 2 = 49.
    RandomResizedCrop t = new RandomResizedCrop(4, 0.9, 1.0, Interpolation.NEAREST);
    assertEquals(new RandomResizedCrop.Region(0, 49, 1, 1),
        t.sampleRegion(1, 100, new SplittableRandom(3)));
  }

  @Test
  void fallsBackToTheWholeImageWhenItsRatioIsInRange() {
    // Scale above 1 never fits, and a square image's ratio lies inside [3/4, 4/3].
    RandomResizedCrop t = new RandomResizedCrop(4, 2.0, 3.0, Interpolation.NEAREST);
    assertEquals(new RandomResizedCrop.Region(0, 0, 10, 10),
        t.sampleRegion(10, 10, new SplittableRandom(3)));
  }

  @Test
  void fallbackOutputIsTheResizedCentreCrop() {
    RgbImage strip = Images.numbered(100, 1);
    RandomResizedCrop t = new RandomResizedCrop(2, 0.9, 1.0, Interpolation.NEAREST);
    RgbImage out = t.apply(strip, new SplittableRandom(0));
    assertEquals(Images.gray(new int[][] {{50, 50}, {50, 50}}), out);
  }

  @Test
  void rejectsInvalidRanges() {
    assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(8, 0.5, 0.2, Interpolation.BILINEAR));
    assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(8, 0.1, 1.0, 0.0, 1.0, Interpolation.BILINEAR));
    assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(0, 0.1, 1.0, Interpolation.BILINEAR));
  }

  @Test
  void consumesRandomnessOnlyFromTheGivenStream() {
    RandomResizedCrop t = new RandomResizedCrop(8, 0.08, 1.0, Interpolation.BILINEAR);
    SplittableRandom a = new SplittableRandom(9);
    SplittableRandom b = new SplittableRandom(9);
    t.sampleRegion(500, 375, a);
    t.sampleRegion(500, 375, b);
    assertEquals(a.nextLong(), b.nextLong());
    assertNotEquals(t.sampleRegion(500, 375, a), null);
  }
}
