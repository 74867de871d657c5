package tfpeft.model.imports;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The user's {@code weights.ignore} entries: exact tensor names or glob patterns, where {@code *}
 * matches any run of characters (dots and slashes included) and {@code ?} one character. An
 * ignored tensor is treated as absent from the file: it is neither used nor reported as unused,
 * and an optional part of the model that only it provides (a classification head, a pre-logits
 * layer) is left out.
 */
final class IgnoreList {
  private final List<String> patterns;
  private final List<Pattern> compiled = new ArrayList<>();

  IgnoreList(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    for (String p : patterns) {
      compiled.add(glob(p));
    }
  }

  boolean matches(String name) {
    for (Pattern p : compiled) {
      if (p.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /** The patterns that match none of {@code names}, in the order given. */
  List<String> unmatched(Collection<String> names) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      Pattern p = compiled.get(i);
      if (names.stream().noneMatch(n -> p.matcher(n).matches())) {
        out.add(patterns.get(i));
      }
    }
    return out;
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
