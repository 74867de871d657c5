package tfpeft.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Helpers for dotted field paths ({@code training.learning_rate}) and "did you mean" hints. */
final class FieldPaths {
  private FieldPaths() {}

  static String join(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  /**
   * The paths from {@code root} of every field named {@code name}, shortest first: where a
   * field written in the wrong block belongs ({@code learning_rate} -> training.learning_rate).
   */
  static List<String> wherever(Descriptor root, String name) {
    List<String> out = new ArrayList<>();
    collect(root, "", name, out, 0);
    out.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
    return out;
  }

  private static void collect(Descriptor type, String prefix, String name, List<String> out,
      int depth) {
    if (depth > 6) {
      return; // the schema nests a few levels; this bounds a recursive message
    }
    for (FieldDescriptor f : type.getFields()) {
      String path = join(prefix, f.getName());
      if (f.getName().equals(name)) {
        out.add(path);
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        collect(f.getMessageType(), path, name, out, depth + 1);
      }
    }
  }

  /** The field names of {@code type} closest to {@code name}, for an error's "did you mean". */
  static String suggest(Descriptor type, String name) {
    List<String> names = new ArrayList<>();
    for (FieldDescriptor f : type.getFields()) {
      names.add(f.getName());
    }
    String best =
        names.stream().min(Comparator.comparingInt(n -> editDistance(n, name))).orElse(null);
    StringBuilder sb = new StringBuilder();
    if (best != null && editDistance(best, name) <= Math.max(2, name.length() / 3)) {
      sb.append("did you mean '").append(best).append("'? ");
    }
    sb.append("Fields of ").append(type.getName()).append(": ").append(String.join(", ", names));
    return sb.toString();
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
