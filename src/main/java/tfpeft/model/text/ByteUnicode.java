package tfpeft.model.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2 / CLIP's reversible byte-to-character table ({@code bytes_to_unicode}). Byte-level BPE
 * works on characters, but merges files and vocabularies are text files, so every byte needs a
 * visible, non-whitespace character: the 188 printable Latin-1 bytes ('!'..'~', '¡'..'¬',
 * '®'..'ÿ') stand for themselves and the other 68 bytes (controls, space, NBSP, soft hyphen) take
 * U+0100, U+0101, ... in byte order. So byte 32 (space) is 'Ġ' (U+0120) and byte 10 is 'Ċ'.
 *
 * <p>All 256 characters lie in the Basic Multilingual Plane, so one byte is one Java char.
 */
public final class ByteUnicode {
  /** Bytes in CLIP's vocabulary order: the printable ones ascending, then the rest ascending. */
  private static final int[] ORDER = new int[256];
  private static final char[] BYTE_TO_CHAR = new char[256];
  /** Index by char - this covers U+0000..U+0143, the whole image of the table. */
  private static final int[] CHAR_TO_BYTE = new int[256 + 68];

  static {
    Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      if (isPrintable(b)) {
        BYTE_TO_CHAR[b] = (char) b;
        ORDER[next++] = b;
      }
    }
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      if (!isPrintable(b)) {
        BYTE_TO_CHAR[b] = (char) (256 + extra++);
        ORDER[next++] = b;
      }
    }
    for (int b = 0; b < 256; b++) {
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
  }

  private ByteUnicode() {}

  private static boolean isPrintable(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  /** The character that stands for byte {@code b} (0..255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte that {@code c} stands for, or -1 when {@code c} is not in the table. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /**
   * The 256 table characters in CLIP's order, printable bytes first; a symbol's position here is
   * its id in a CLIP vocabulary, and position + 256 is the id of the same symbol + {@code "</w>"}.
   */
  public static String[] symbolsInVocabularyOrder() {
    String[] symbols = new String[256];
    for (int i = 0; i < 256; i++) {
      symbols[i] = String.valueOf(BYTE_TO_CHAR[ORDER[i]]);
    }
    return symbols;
  }

  /** The UTF-8 bytes of {@code text}, each written as its table character. */
  public static String encodeUtf8(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] chars = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(chars);
  }

  /**
   * The bytes that table characters stand for; characters outside the table (there are none in a
   * well-formed vocabulary) are skipped.
   */
  public static byte[] decode(CharSequence symbols) {
    byte[] out = new byte[symbols.length()];
    int n = 0;
    for (int i = 0; i < symbols.length(); i++) {
      int b = byteOf(symbols.charAt(i));
      if (b >= 0) {
        out[n++] = (byte) b;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
