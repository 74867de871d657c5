package tfpeft.export;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Locale;
import tfpeft.config.proto.MethodConfig;

/**
 * The first field in which two method configs differ, as a config path
 * ({@code method.lora.rank}), comparing every field with unset ones at their defaults.
 */
public final class MethodConfigDiff {
  /** A difference: the field path and its two values as text. */
  public record Difference(String field, String left, String right) {}

  private MethodConfigDiff() {}

  /** Null when {@code a} and {@code b} configure the same method identically. */
  public static Difference first(MethodConfig a, MethodConfig b) {
    if (a.getMethodCase() != b.getMethodCase()) {
      return new Difference("method", name(a), name(b));
    }
    return first("method", a, b);
  }

  static String name(MethodConfig m) {
    return m.getMethodCase().name().toLowerCase(Locale.ROOT);
  }

  private static Difference first(String path, Message a, Message b) {
    for (FieldDescriptor f : a.getDescriptorForType().getFields()) {
      if (f.getContainingOneof() != null && !a.hasField(f) && !b.hasField(f)) {
        continue;
      }
      String at = path + "." + f.getName();
      Object x = a.getField(f);
      Object y = b.getField(f);
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isRepeated()) {
        Difference d = first(at, (Message) x, (Message) y);
        if (d != null) {
          return d;
        }
      } else if (!x.equals(y)) {
        return new Difference(at, String.valueOf(x), String.valueOf(y));
      }
    }
    return null;
  }
}
