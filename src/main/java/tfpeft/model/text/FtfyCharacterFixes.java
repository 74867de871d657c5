package tfpeft.model.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The character-level part of ftfy's {@code fix_text} with its default settings, which CLIP runs
 * on every text before anything else. Each line (up to and including its '\n') is fixed on its
 * own, applying these steps in ftfy's order and repeating until nothing changes:
 *
 * <ol>
 *   <li>HTML references that end in ';' (see {@link HtmlEntities#unescapeTerminated}) - skipped
 *       from the first line that contains a '&lt;' on, since that text may be markup;
 *   <li>C1 control characters (U+0080-U+009F) read as the Windows-1252 bytes they usually are;
 *   <li>Latin ligatures and digraphs split ("ﬁ" to "fi", "ĳ" to "ij");
 *   <li>full-width and half-width forms to their ordinary forms (NFKC of U+FF01-U+FFEF) and the
 *       ideographic space to a space;
 *   <li>curly quotes to straight ones (U+02BC, U+2018-U+201B to ', U+201C-U+201F to ");
 *   <li>CR LF, CR, U+2028, U+2029 and U+0085 to '\n';
 *   <li>lone surrogates to U+FFFD;
 *   <li>ANSI terminal escapes (ESC '[' digits/';' letter) removed;
 *   <li>control characters removed (C0 but tab, LF, FF, CR; DEL; U+206A-U+206F; BOM;
 *       U+FFF9-U+FFFC);
 *   <li>Unicode NFC.
 * </ol>
 *
 * <p>Not done: ftfy's mojibake repair (re-decoding text that was decoded with the wrong codec,
 * e.g. "cafÃ©" back to "café"). Correctly decoded text, which is what tokenizers are normally
 * given, passes through it unchanged.
 */
final class FtfyCharacterFixes {
  private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[[\\p{Nd};]*[a-zA-Z]");
  private static final String LIGATURES = "\u0132\u0133\u0149\u01f1\u01f2\u01f3\u01c4\u01c5"
      + "\u01c6\u01c7\u01c8\u01c9\u01ca\u01cb\u01cc\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06";
  private static final String[] LIGATURE_LETTERS = {"IJ", "ij", "\u02bcn", "DZ", "Dz", "dz",
      "D\u017d", "D\u017e", "d\u017e", "LJ", "Lj", "lj", "NJ", "Nj", "nj", "ff", "fi", "fl", "ffi",
      "ffl", "\u017ft", "st"};

  private FtfyCharacterFixes() {}

  static String fix(String text) {
    if (isPlainAscii(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean unescapeHtml = true;
    int start = 0;
    while (start < text.length()) {
      int newline = text.indexOf('\n', start);
      int end = newline < 0 ? text.length() : newline + 1;
      String line = text.substring(start, end);
      // ftfy stops decoding HTML for the rest of the text once a line looks like markup.
      if (line.indexOf('<') >= 0) {
        unescapeHtml = false;
      }
      out.append(fixLine(line, unescapeHtml));
      start = end;
    }
    return out.toString();
  }

  /** Printable ASCII, tab and newline without '&amp;': no step changes such text. */
  private static boolean isPlainAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t' && c != '\n') || c > 0x7E || c == '&') {
        return false;
      }
    }
    return true;
  }

  private static String fixLine(String line, boolean unescapeHtml) {
    while (true) {
      String fixed = fixOnce(line, unescapeHtml);
      if (fixed.equals(line)) {
        return fixed;
      }
      line = fixed;
    }
  }

  private static String fixOnce(String text, boolean unescapeHtml) {
    if (unescapeHtml) {
      text = HtmlEntities.unescapeTerminated(text);
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80 && c <= 0x9F) {
        c = HtmlEntities.WINDOWS_1252_C1.charAt(c - 0x80);
      }
      int ligature = LIGATURES.indexOf(c);
      if (ligature >= 0) {
        out.append(LIGATURE_LETTERS[ligature]);
      } else if (c == '\u3000') {
        out.append(' ');
      } else if (c >= '\uff01' && c < '\ufff0') {
        out.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
      } else {
        out.append(c);
      }
    }
    text = straightenQuotes(out.toString());
    text = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
        .replace('\u2029', '\n').replace('\u0085', '\n');
    text = replaceLoneSurrogates(text);
    if (text.indexOf('\u001b') >= 0) {
      text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
    }
    text = removeControls(text);
    return Normalizer.normalize(text, Normalizer.Form.NFC);
  }

  private static String straightenQuotes(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u02bc' || (c >= '\u2018' && c <= '\u201b')) {
        out.append('\'');
      } else if (c >= '\u201c' && c <= '\u201f') {
        out.append('"');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String replaceLoneSurrogates(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\ufffd' : c);
      }
    }
    return out.toString();
  }

  private static String removeControls(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = (c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
          || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
      if (!control) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
