package tfpeft.model.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references, decoded the two ways CLIP's text cleaning decodes them.
 *
 * <p>{@link #unescape} follows Python's {@code html.unescape} (the HTML5 rules): numeric references
 * with or without ';', where 0x80-0x9F are read as Windows-1252, surrogates and values past
 * U+10FFFF become U+FFFD and non-characters and most controls vanish; named references with ';';
 * and the HTML5 "legacy" names (amp, lt, copy, eacute, ...) also without ';', taking the longest
 * legacy name that prefixes the text ("&amp;ampx" reads as "&amp;x").
 *
 * <p>{@link #unescapeTerminated} follows ftfy's stricter pass, which only decodes references
 * that end in ';', plus an all-capitals spelling of lower-case names ("&amp;EACUTE;" is "É").
 *
 * <p>Named references come from html-entities.tsv: the HTML 4 set, &amp;apos; and every legacy
 * name. HTML5 defines about two thousand more (&amp;NotNestedLessLess; and the like); those are
 * left as text, where Python would decode them.
 */
final class HtmlEntities {
  private static final Pattern PYTHON_CHARREF =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
  private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
  /** Windows-1252 for 0x80-0x9F; its five undefined bytes keep their own code point. */
  static final String WINDOWS_1252_C1 =
      "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d"
          + "\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
          + "\u203a\u0153\u009d\u017e\u0178";

  private static final Map<String, String> NAMED = new HashMap<>();
  /** Names HTML5 also accepts without the trailing ';'. */
  private static final Set<String> LEGACY = new HashSet<>();

  static {
    InputStream in = HtmlEntities.class.getResourceAsStream("html-entities.tsv");
    if (in == null) {
      throw new IllegalStateException("html-entities.tsv is missing from the classpath");
    }
    try (in; BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t");
        StringBuilder value = new StringBuilder();
        for (String hex : fields[1].split(" ")) {
          value.appendCodePoint(Integer.parseInt(hex, 16));
        }
        NAMED.put(fields[0], value.toString());
        if (fields.length > 2 && fields[2].equals("legacy")) {
          LEGACY.add(fields[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read html-entities.tsv", e);
    }
  }

  private HtmlEntities() {}

  /** Python's {@code html.unescape}. */
  static String unescape(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    Matcher m = PYTHON_CHARREF.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(decodeReference(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** ftfy's pass: only references closed by ';', with all-capitals names accepted. */
  static String unescapeTerminated(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    Matcher m = FTFY_ENTITY.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(decodeTerminated(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String decodeTerminated(String reference) {
    String name = reference.substring(1, reference.length() - 1);
    String value = NAMED.get(name);
    if (value != null) {
      return value;
    }
    if (reference.startsWith("&#")) {
      String decoded = unescape(reference);
      return decoded.indexOf(';') >= 0 ? reference : decoded;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (name.equals(name.toUpperCase(Locale.ROOT)) && NAMED.containsKey(lower)
        && unescape(reference).equals(reference)) {
      return NAMED.get(lower).toUpperCase(Locale.ROOT);
    }
    return reference;
  }

  /** One reference without its '&amp;': "#65;", "#x41", "eacute;", "ampx". */
  private static String decodeReference(String body) {
    if (body.charAt(0) == '#') {
      boolean hex = body.charAt(1) == 'x' || body.charAt(1) == 'X';
      String digits = body.substring(hex ? 2 : 1);
      if (digits.endsWith(";")) {
        digits = digits.substring(0, digits.length() - 1);
      }
      return decodeNumber(digits, hex ? 16 : 10);
    }
    String exact = body.endsWith(";")
        ? NAMED.get(body.substring(0, body.length() - 1))
        : (LEGACY.contains(body) ? NAMED.get(body) : null);
    if (exact != null) {
      return exact;
    }
    // HTML5: the longest legacy name that is a prefix, the rest kept as text.
    for (int end = body.length() - 1; end >= 2; end--) {
      String prefix = body.substring(0, end);
      if (LEGACY.contains(prefix)) {
        return NAMED.get(prefix) + body.substring(end);
      }
    }
    return "&" + body;
  }

  private static String decodeNumber(String digits, int radix) {
    String significant = digits.replaceFirst("^0+(?=.)", "");
    if (significant.length() > 12) {
      return "\ufffd";
    }
    long value = Long.parseLong(significant, radix);
    if (value == 0) {
      return "\ufffd";
    }
    if (value == 0x0D) {
      return "\r";
    }
    if (value >= 0x80 && value <= 0x9F) {
      return String.valueOf(WINDOWS_1252_C1.charAt((int) value - 0x80));
    }
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
      return "\ufffd";
    }
    if (isDroppedCodePoint(value)) {
      return "";
    }
    return new String(Character.toChars((int) value));
  }

  /** Code points html.unescape drops: C0/C1 controls but tab/LF/FF/CR, DEL, non-characters. */
  private static boolean isDroppedCodePoint(long cp) {
    return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
        || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE;
  }
}
