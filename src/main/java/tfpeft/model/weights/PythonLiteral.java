package tfpeft.model.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the small subset of Python literal syntax that a .npy header dictionary uses, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}: dicts, tuples, lists,
 * quoted strings, integers, True, False and None. numpy writes the header with {@code repr()},
 * and reads it with {@code ast.literal_eval}; this is the same grammar, minus floats and other
 * literals a header never contains.
 *
 * <p>Values come back as {@code Map<String, Object>}, {@code List<Object>}, {@code String},
 * {@code Long}, {@code Boolean} or {@code null} (for None).
 */
final class PythonLiteral {
  /** A syntax error, with the character offset where it was found. */
  static final class SyntaxError extends Exception {
    SyntaxError(String message, int offset) {
      super(message + " at character " + offset);
    }
  }

  private final String text;
  private int pos;

  private PythonLiteral(String text) {
    this.text = text;
  }

  /** Parses {@code text} as exactly one literal, surrounding whitespace allowed. */
  static Object parse(String text) throws SyntaxError {
    PythonLiteral p = new PythonLiteral(text);
    Object value = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw new SyntaxError("unexpected text after the dictionary", p.pos);
    }
    return value;
  }

  private Object value() throws SyntaxError {
    skipSpace();
    if (pos >= text.length()) {
      throw new SyntaxError("unexpected end of header", pos);
    }
    char c = text.charAt(pos);
    if (c == '{') {
      return dict();
    }
    if (c == '(' || c == '[') {
      return sequence(c == '(' ? ')' : ']');
    }
    if (c == '\'' || c == '"') {
      return string(c);
    }
    if (c == '-' || Character.isDigit(c)) {
      return integer();
    }
    for (String word : new String[] {"True", "False", "None"}) {
      if (text.startsWith(word, pos)) {
        pos += word.length();
        return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
      }
    }
    throw new SyntaxError("unexpected '" + c + "'", pos);
  }

  private Map<String, Object> dict() throws SyntaxError {
    Map<String, Object> out = new LinkedHashMap<>();
    pos++;
    while (true) {
      skipSpace();
      if (peek() == '}') {
        pos++;
        return out;
      }
      int keyAt = pos;
      if (!(value() instanceof String key)) {
        throw new SyntaxError("dictionary keys must be strings", keyAt);
      }
      skipSpace();
      expect(':');
      out.put(key, value());
      if (!separator('}')) {
        throw new SyntaxError("expected ',' or '}'", pos);
      }
    }
  }

  private List<Object> sequence(char close) throws SyntaxError {
    List<Object> out = new ArrayList<>();
    pos++;
    while (true) {
      skipSpace();
      if (peek() == close) {
        pos++;
        return out;
      }
      out.add(value());
      if (!separator(close)) {
        throw new SyntaxError("expected ',' or '" + close + "'", pos);
      }
    }
  }

  /** Consumes a ',' (true) or sees the closing bracket without consuming it (true); else false. */
  private boolean separator(char close) {
    skipSpace();
    if (peek() == ',') {
      pos++;
      return true;
    }
    return peek() == close;
  }

  private String string(char quote) throws SyntaxError {
    int start = pos++;
    StringBuilder s = new StringBuilder();
    while (pos < text.length() && text.charAt(pos) != quote) {
      char c = text.charAt(pos++);
      if (c == '\\' && pos < text.length()) {
        c = text.charAt(pos++);
      }
      s.append(c);
    }
    if (pos >= text.length()) {
      throw new SyntaxError("unterminated string", start);
    }
    pos++;
    return s.toString();
  }

  private Long integer() throws SyntaxError {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    String digits = text.substring(start, pos);
    // Python 2 wrote long integers with an L suffix: (3L, 4L)
    if (peek() == 'L') {
      pos++;
    }
    try {
      return Long.valueOf(digits);
    } catch (NumberFormatException e) {
      throw new SyntaxError("bad integer '" + digits + "'", start);
    }
  }

  private void expect(char c) throws SyntaxError {
    if (peek() != c) {
      throw new SyntaxError("expected '" + c + "'", pos);
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }
}
