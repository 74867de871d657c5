package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.data.Batch;
import tfpeft.data.image.BitmapFont;
import tfpeft.data.image.RgbImage;

/** The preview grid: small images enlarged to a readable size, each labelled with its class. */
class PreviewGridTest {
  static final float[] MEAN = {0, 0, 0};
  static final float[] STD = {1, 1, 1};

  /** Two 32 px images in [0, 1]: pixel (x, y) of image k has red x/31, green y/31, blue k. */
  static Batch twoImages() {
    int s = 32;
    float[] px = new float[2 * s * s * 3];
    for (int k = 0; k < 2; k++) {
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          int i = ((k * s + y) * s + x) * 3;
          px[i] = x / 31f;
          px[i + 1] = y / 31f;
          px[i + 2] = k;
        }
      }
    }
    return new Batch(0, 2, s, s, px, new int[] {1, 0}, new int[] {0, 1});
  }

  @Test
  void aThirtyTwoPixelImageBecomesANinetySixPixelTileByPixelRepetition() {
    RgbImage g = PreviewGrid.grid(twoImages(), MEAN, STD, List.of("cat", "dog"));
    // two tiles side by side: gap, 96, gap, 96, gap; one row of tile, label room and gap
    assertEquals(4 + 2 * (96 + 4), g.width());
    assertEquals(4 + 96 + PreviewGrid.LABEL_HEIGHT + 4, g.height());
    int ox = 4 + 96 + 4;
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        assertEquals(Math.round(x / 3 / 31f * 255), g.get(ox + x, 4 + y, 0));
        assertEquals(Math.round(y / 3 / 31f * 255), g.get(ox + x, 4 + y, 1));
        assertEquals(255, g.get(ox + x, 4 + y, 2));
      }
    }
  }

  @Test
  void eachTileIsLabelledWithItsClassNameUnderneathAtTwiceTheFontSize() {
    RgbImage g = PreviewGrid.grid(twoImages(), MEAN, STD, List.of("cat", "dog"));
    // the first image is of class 1, "dog": 17 font pixels wide, 34 at scale 2, centred
    RgbImage expected = RgbImage.blank(96, 30);
    BitmapFont.draw(expected, "dog", (96 - 34) / 2, 0, 2, new int[] {20, 20, 20});
    int top = 4 + 96 + 2;
    int inked = 0;
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 96; x++) {
        boolean ink = expected.get(x, y, 0) == 20;
        inked += ink ? 1 : 0;
        assertEquals(ink ? 20 : 255, g.get(4 + x, top + y, 0), "(" + x + ", " + y + ")");
      }
    }
    assertEquals(4 * countSet("dog"), inked);
  }

  private static int countSet(String text) {
    int n = 0;
    for (char c : text.toCharArray()) {
      for (int y = 0; y < BitmapFont.GLYPH_HEIGHT; y++) {
        for (int x = 0; x < BitmapFont.GLYPH_WIDTH; x++) {
          n += BitmapFont.pixel(c, x, y) ? 1 : 0;
        }
      }
    }
    return n;
  }

  @Test
  void aLongNameWrapsAtSpacesAndFallsBackToTheSmallSize() {
    // 96 px: 8 characters a line at twice the size, 16 at the font's own size
    assertEquals(List.of("thirty", "degrees"), PreviewGrid.wrap("thirty degrees", 8, 2));
    assertNull(PreviewGrid.wrap("one hundred fifty degrees", 8, 2));
    assertEquals(List.of("one hundred", "fifty degrees"),
        PreviewGrid.wrap("one hundred fifty degrees", 16, 4));
    assertEquals(List.of("abcdefgh", "ijklmno~"), PreviewGrid.cut("abcdefghijklmnopq", 8, 2));
  }
}
