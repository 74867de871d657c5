package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResamplerTest {
  private static final JsonObject CASES = Fixtures.json("resample/cases.json");

  static Stream<Arguments> pillowCases() {
    JsonObject inputs = CASES.getAsJsonObject("inputs");
    List<Arguments> out = new ArrayList<>();
    for (JsonElement e : CASES.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      String input = c.get("input").getAsString();
      int[] crop = null;
      String label = input;
      if (!c.get("crop").isJsonNull()) {
        var a = c.getAsJsonArray("crop");
        crop = new int[] {a.get(0).getAsInt(), a.get(1).getAsInt(), a.get(2).getAsInt(),
            a.get(3).getAsInt()};
        label += String.format(" crop %dx%d+%d+%d", crop[2], crop[3], crop[0], crop[1]);
      }
      label += " -> " + c.get("width").getAsInt() + "x" + c.get("height").getAsInt() + " "
          + c.get("filter").getAsString();
      out.add(Arguments.of(label, Fixtures.image(inputs.getAsJsonObject(input)), crop,
          Interpolation.valueOf(c.get("filter").getAsString()), Fixtures.image(c)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pillowCases")
  void matchesPillowResizeBitExactly(
      String label, RgbImage input, int[] crop, Interpolation filter, RgbImage expected) {
    RgbImage actual = crop == null
        ? Resampler.resize(input, expected.width(), expected.height(), filter)
        : Resampler.resizeRegion(input, crop[0], crop[1], crop[2], crop[3], expected.width(),
            expected.height(), filter);
    assertEquals(expected, actual, () -> Fixtures.firstDifference(expected, actual));
  }

  @ParameterizedTest
  @EnumSource(Interpolation.class)
  void resizeRegionEqualsResizingACopiedCrop(Interpolation filter) {
    RgbImage src = randomImage(23, 17, 1);
    RgbImage crop = copy(src, 5, 3, 11, 9);
    assertEquals(Resampler.resize(crop, 7, 13, filter),
        Resampler.resizeRegion(src, 5, 3, 11, 9, 7, 13, filter));
  }

  @ParameterizedTest
  @EnumSource(Interpolation.class)
  void resizeToTheSameSizeReturnsAnEqualCopy(Interpolation filter) {
    RgbImage src = randomImage(9, 4, 2);
    RgbImage out = Resampler.resize(src, 9, 4, filter);
    assertEquals(src, out);
    out.pixels()[0]++;
    assertEquals(randomImage(9, 4, 2), src, "the input must not share the output's buffer");
  }

  @Test
  void bilinearShrinkWidensTheFilterToThreeSourcePixels() {
    // 4 -> 2 columns: support 1 * 2 = 2 around centres 1.0 and 3.0 covers 3 pixels each, with
    // triangle weights 0.75, 0.75, 0.25 normalised to 3/7, 3/7, 1/7 (1797559 and 599186 in
    // 22-bit fixed point). Output 0: (70 * 1797559 + 2^21) >> 22 = 30; output 1:
    // (140 * 1797559 + 2^21) >> 22 = 60. Pillow 9.4 gives the same.
    RgbImage in = Images.gray(new int[][] {{70, 0, 0, 140}});
    assertEquals(Images.gray(new int[][] {{30, 60}}),
        Resampler.resize(in, 2, 1, Interpolation.BILINEAR));
  }

  @Test
  void rejectsARegionOutsideTheImage() {
    RgbImage src = RgbImage.blank(10, 8);
    assertThrows(IllegalArgumentException.class,
        () -> Resampler.resizeRegion(src, 5, 0, 6, 8, 3, 3, Interpolation.BILINEAR));
    assertThrows(IllegalArgumentException.class,
        () -> Resampler.resizeRegion(src, -1, 0, 5, 5, 3, 3, Interpolation.BILINEAR));
  }

  @Test
  void rejectsAnEmptyOutput() {
    assertThrows(IllegalArgumentException.class,
        () -> Resampler.resize(RgbImage.blank(4, 4), 0, 3, Interpolation.BICUBIC));
  }

  static RgbImage randomImage(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) rng.nextInt(256);
    }
    return new RgbImage(w, h, px);
  }

  static RgbImage copy(RgbImage src, int left, int top, int w, int h) {
    RgbImage out = RgbImage.blank(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          out.set(x, y, c, src.get(left + x, top + y, c));
        }
      }
    }
    return out;
  }
}
