package tfpeft.model.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's text path before BPE: {@link #clean} (ftfy, HTML unescaping twice, whitespace, lower
 * case) and {@link #split} into pre-tokens with CLIP's regular expression.
 *
 * <p>CLIP uses Python's {@code regex} module; these Java patterns were checked against it over
 * every code point (and {@link #lowerCase} against {@code str.lower()}). Two details make the
 * patterns differ from a literal translation:
 *
 * <ul>
 *   <li>{@code \s} in {@code regex} is Unicode White_Space (25 characters, NBSP and U+3000
 *       included); Java's {@code \s} is ASCII only, so the class is spelled out.
 *   <li>With IGNORECASE, {@code regex} treats U+0345 (combining ypogegrammeni, a mark whose upper
 *       case is the letter Iota) as excluded from {@code [^\s\p{L}\p{N}]} yet not in
 *       {@code [\p{L}]}: it matches no alternative and is silently dropped. Java keeps it in the
 *       last class, so it is excluded there explicitly.
 * </ul>
 *
 * Other combining marks (\p{M}) are neither letters nor numbers in either engine and join the
 * punctuation-like runs of the last alternative: "e\u0301" (if it survived NFC) would split into
 * "e" and "\u0301". Characters assigned after Unicode 13 (the JDK 17 tables) are neither letters
 * nor numbers for Java, where newer Python releases know them.
 */
final class ClipTextSplitter {
  /** Python {@code regex}'s {@code \s}: the Unicode White_Space property. */
  private static final String WHITE_SPACE =
      "\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
          + "\\x{205F}\\x{3000}";
  private static final Pattern WHITE_SPACE_RUN = Pattern.compile("[" + WHITE_SPACE + "]+");
  /** CLIP's pre-tokenizer (clip/simple_tokenizer.py), alternatives tried left to right. */
  private static final Pattern PRE_TOKEN = Pattern.compile(
      "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
          + "|[^" + WHITE_SPACE + "\\p{L}\\p{N}\\x{345}]+",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  private ClipTextSplitter() {}

  /**
   * CLIP's {@code whitespace_clean(basic_clean(text)).lower()}: ftfy's character fixes, HTML
   * unescaped twice (CLIP calls {@code html.unescape(html.unescape(text))} so that doubly escaped
   * text such as "&amp;amp;lt;" is read too), stripped, whitespace runs made one space, stripped
   * again, lower-cased as Python does.
   */
  static String clean(String text) {
    String fixed = FtfyCharacterFixes.fix(text);
    String unescaped = HtmlEntities.unescape(HtmlEntities.unescape(fixed));
    String collapsed = WHITE_SPACE_RUN.matcher(stripPythonSpace(unescaped)).replaceAll(" ");
    return lowerCase(stripPythonSpace(collapsed));
  }

  /**
   * Python's {@code str.lower()}. Java's root-locale lower case agrees on every single code point
   * but places final sigma differently: Java looks for cased letters anywhere within the word
   * (so "É8Σ" ends in "ς"), while CPython applies Unicode's Final_Sigma condition literally:
   * a cased letter, then only case-ignorable characters, before the Σ, and no cased letter after
   * it past case-ignorables.
   */
  static String lowerCase(String text) {
    int sigma = text.indexOf('\u03a3');
    if (sigma < 0) {
      return text.toLowerCase(Locale.ROOT);
    }
    StringBuilder out = new StringBuilder(text.length());
    int start = 0;
    while (sigma >= 0) {
      // Without a Σ, root-locale lower-casing has no context to get wrong.
      out.append(text.substring(start, sigma).toLowerCase(Locale.ROOT));
      out.append(isFinalSigma(text, sigma) ? '\u03c2' : '\u03c3');
      start = sigma + 1;
      sigma = text.indexOf('\u03a3', start);
    }
    return out.append(text.substring(start).toLowerCase(Locale.ROOT)).toString();
  }

  private static boolean isFinalSigma(String text, int index) {
    int i = index;
    int before = -1;
    while (i > 0) {
      before = text.codePointBefore(i);
      i -= Character.charCount(before);
      if (!isCaseIgnorable(before)) {
        break;
      }
      before = -1;
    }
    if (before < 0 || !isCased(before)) {
      return false;
    }
    for (int j = index + 1; j < text.length(); ) {
      int after = text.codePointAt(j);
      if (!isCaseIgnorable(after)) {
        return !isCased(after);
      }
      j += Character.charCount(after);
    }
    return true;
  }

  /** Unicode's Cased: Lu, Ll, Lt, Other_Lowercase, Other_Uppercase. */
  private static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  /** Unicode's Case_Ignorable: Mn, Me, Cf, Lm, Sk and the word-internal punctuation. */
  private static boolean isCaseIgnorable(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK:
        return cp != 0x1734; // a spacing mark since Unicode 14, as CPython 3.11 has it
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        // Word_Break MidLetter, MidNumLet and Single_Quote.
        return "'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07"
            .indexOf(cp) >= 0 || cp == 0xff0e || cp == 0xff1a;
    }
  }

  /** The pre-tokens of cleaned text, in order; what no alternative matches is skipped. */
  static List<String> split(String cleanedText) {
    List<String> pieces = new ArrayList<>();
    Matcher m = PRE_TOKEN.matcher(cleanedText);
    while (m.find()) {
      pieces.add(m.group());
    }
    return pieces;
  }

  /**
   * Python's {@code str.strip()}: it removes White_Space and also U+001C-U+001F, which
   * {@code str.isspace()} counts as space.
   */
  static String stripPythonSpace(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isPythonSpace(text.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean isPythonSpace(char c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0
        || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
        || c == 0x202F || c == 0x205F || c == 0x3000;
  }
}
