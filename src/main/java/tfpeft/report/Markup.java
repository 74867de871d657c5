package tfpeft.report;

import java.util.Locale;

/**
 * Escaping for text taken from files (class names, config strings, site names) placed into the
 * report's HTML or SVG. The page is polyglot markup (HTML5 that is also well-formed XML), so only
 * the five XML entities are used, and characters XML forbids are dropped.
 */
final class Markup {
  private Markup() {}

  /** Text or attribute value, escaped for both HTML5 and XML. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
            b.append('\uFFFD');
          } else if (Character.isHighSurrogate(c) && (i + 1 >= s.length()
              || !Character.isLowSurrogate(s.charAt(i + 1)))
              || Character.isLowSurrogate(c) && (i == 0
              || !Character.isHighSurrogate(s.charAt(i - 1)))) {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** A number for a coordinate: two decimals, no exponent, '.' whatever the locale. */
  static String num(double v) {
    if (Math.abs(v - Math.rint(v)) < 1e-9) {
      return Long.toString(Math.round(v));
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** A value as a person reads it: up to four significant digits. */
  static String value(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e6)) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.contains(".") && !s.contains("e")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  /** A fraction in [0, 1] as a percentage with two decimals. */
  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
  }
}
