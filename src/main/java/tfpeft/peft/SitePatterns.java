package tfpeft.peft;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Glob patterns over site names ({@code *} any run of characters, {@code ?} one character), the
 * way a method chooses where it attaches: {@code block*}{@code /attn/q} is every vision block's
 * query projection (CLIP's text sites start with {@code text/} and do not match).
 */
public final class SitePatterns {
  private final List<String> patterns;
  private final List<Pattern> compiled = new ArrayList<>();

  public SitePatterns(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    for (String p : patterns) {
      compiled.add(glob(p));
    }
  }

  public static SitePatterns of(String... patterns) {
    return new SitePatterns(List.of(patterns));
  }

  public boolean matches(String site) {
    for (Pattern p : compiled) {
      if (p.matcher(site).matches()) {
        return true;
      }
    }
    return false;
  }

  public List<String> patterns() {
    return patterns;
  }

  @Override
  public String toString() {
    return String.join(", ", patterns);
  }

  static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
