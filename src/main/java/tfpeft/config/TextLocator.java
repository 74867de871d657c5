package tfpeft.config;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Finds the field path at a line and column of a text-format message, so that a parse error
 * ("expected integer") can say which field it is about ({@code training.epochs}), not only where.
 */
final class TextLocator {
  private TextLocator() {}

  /** The dotted path of the field being written at (line, column), both 1-based. */
  static String pathAt(String text, int line, int column) {
    return locate(text, line, column, true);
  }

  /**
   * The dotted path of the message enclosing (line, column): where a field name that starts
   * there belongs (not the field written before it, which may be a scalar).
   */
  static String messagePathAt(String text, int line, int column) {
    return locate(text, line, column, false);
  }

  private static String locate(String text, int line, int column, boolean withField) {
    Deque<String> stack = new ArrayDeque<>();
    String lastName = null;
    int i = 0;
    int curLine = 1;
    int curCol = 1;
    int n = text.length();
    while (i < n) {
      if (curLine > line || (curLine == line && curCol >= column)) {
        break;
      }
      char c = text.charAt(i);
      if (c == '\n') {
        i++;
        curLine++;
        curCol = 1;
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        curCol++;
        continue;
      }
      if (c == '#') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
          j += text.charAt(j) == '\\' ? 2 : 1;
        }
        j = Math.min(j + 1, n);
        curCol += j - i;
        i = j;
        continue;
      }
      if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
          j++;
        }
        String word = text.substring(i, j);
        int k = j;
        while (k < n && (text.charAt(k) == ' ' || text.charAt(k) == '\t')) {
          k++;
        }
        if (k < n && (text.charAt(k) == ':' || text.charAt(k) == '{' || text.charAt(k) == '<')) {
          lastName = word;
        }
        curCol += j - i;
        i = j;
        continue;
      }
      if (c == '{' || c == '<') {
        stack.addLast(lastName == null ? "?" : lastName);
        lastName = null;
      } else if (c == '}' || c == '>') {
        if (!stack.isEmpty()) {
          stack.removeLast();
        }
        lastName = null;
      }
      i++;
      curCol++;
    }
    StringBuilder sb = new StringBuilder();
    for (String s : stack) {
      sb.append(sb.length() == 0 ? "" : ".").append(s);
    }
    if (withField && lastName != null) {
      sb.append(sb.length() == 0 ? "" : ".").append(lastName);
    }
    return sb.toString();
  }
}
