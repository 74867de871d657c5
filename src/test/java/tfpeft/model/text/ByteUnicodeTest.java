package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteUnicodeTest {
  @Test
  void tableMapsAll256BytesToDistinctCharacters() {
    Set<Character> seen = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      seen.add(ByteUnicode.charOf(b));
    }
    assertEquals(256, seen.size());
  }

  @Test
  void tableIsInvertible() {
    for (int b = 0; b < 256; b++) {
      assertEquals(b, ByteUnicode.byteOf(ByteUnicode.charOf(b)));
    }
    assertEquals(-1, ByteUnicode.byteOf('\u0144'));
    assertEquals(-1, ByteUnicode.byteOf('\u4e16'));
  }

  @Test
  void printableBytesStandForThemselvesAndTheRestFollow256() {
    assertEquals('!', ByteUnicode.charOf(33));
    assertEquals('~', ByteUnicode.charOf(126));
    assertEquals('\u00a1', ByteUnicode.charOf(0xA1));
    assertEquals('\u00ae', ByteUnicode.charOf(0xAE));
    assertEquals('\u00ff', ByteUnicode.charOf(0xFF));
    assertEquals('\u0100', ByteUnicode.charOf(0));
    assertEquals('\u010a', ByteUnicode.charOf(10));
    assertEquals('\u0120', ByteUnicode.charOf(32));
    assertEquals('\u0121', ByteUnicode.charOf(127));
    assertEquals('\u0143', ByteUnicode.charOf(0xAD));
  }

  @Test
  void vocabularyOrderListsPrintableBytesFirst() {
    String[] symbols = ByteUnicode.symbolsInVocabularyOrder();
    assertEquals(256, symbols.length);
    assertEquals("!", symbols[0]);
    assertEquals("a", symbols[320 - 256]);
    assertEquals("\u00ff", symbols[187]);
    assertEquals("\u0100", symbols[188]);
    assertEquals("\u0143", symbols[255]);
  }

  @Test
  void utf8BytesRoundTripThroughTheTable() {
    String text = "h\u00e9 \u4e16\ud83d\ude00\n";
    String symbols = ByteUnicode.encodeUtf8(text);
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, symbols.length());
    for (int i = 0; i < symbols.length(); i++) {
      assertFalse(Character.isWhitespace(symbols.charAt(i)));
    }
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), ByteUnicode.decode(symbols));
  }

  @Test
  void everyTableCharacterIsVisible() {
    // Merges files separate symbols by spaces, so no symbol may be whitespace or a control.
    for (int b = 0; b < 256; b++) {
      char c = ByteUnicode.charOf(b);
      assertFalse(Character.isWhitespace(c) || Character.isISOControl(c)
          || Character.isSpaceChar(c), "byte " + b);
    }
  }

  @Test
  void decodeSkipsCharactersOutsideTheTable() {
    assertArrayEquals(new byte[] {'a', 'b'}, ByteUnicode.decode("a\u4e16b"));
  }
}
