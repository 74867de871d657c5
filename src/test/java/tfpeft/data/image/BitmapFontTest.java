package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bitmap font: glyph shapes, scaling, clipping. */
class BitmapFontTest {
  /** The glyph of {@code c} as the rows of '#' and '.' it is drawn from. */
  static String glyph(char c) {
    StringBuilder b = new StringBuilder();
    for (int y = 0; y < BitmapFont.GLYPH_HEIGHT; y++) {
      for (int x = 0; x < BitmapFont.GLYPH_WIDTH; x++) {
        b.append(BitmapFont.pixel(c, x, y) ? '#' : '.');
      }
      b.append('\n');
    }
    return b.toString();
  }

  @Test
  void anUppercaseTIsABarOverAStem() {
    assertEquals("#####\n..#..\n..#..\n..#..\n..#..\n..#..\n..#..\n", glyph('T'));
  }

  @Test
  void aCharacterOutsidePrintableAsciiIsDrawnAsAQuestionMark() {
    assertEquals(glyph('?'), glyph('\u00e9'));
    assertEquals(glyph('?'), glyph('\n'));
  }

  @Test
  void atScaleTwoEachFontPixelIsATwoByTwoSquareAndTheRestIsClipped() {
    RgbImage im = RgbImage.blank(8, 4);
    BitmapFont.draw(im, "T", -1, 0, 2, new int[] {9, 8, 7});
    // the bar of the T covers font columns 0-4 (image x -1..8) on font row 0 (y 0, 1)
    for (int x = 0; x < 8; x++) {
      assertEquals(9, im.get(x, 0, 0), "x " + x);
      assertEquals(7, im.get(x, 1, 2), "x " + x);
    }
    // the stem is font column 2: image x 3 and 4, from y 2
    for (int x = 0; x < 8; x++) {
      assertEquals(x == 3 || x == 4 ? 8 : 0, im.get(x, 2, 1), "x " + x);
    }
    assertEquals(2 * (3 * 6 - 1), BitmapFont.width("abc", 2));
  }
}
