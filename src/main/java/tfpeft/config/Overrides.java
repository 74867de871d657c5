package tfpeft.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Applies {@code --set field.path=value} overrides. Intermediate messages are created as needed;
 * naming a member of a oneof selects it. Repeated fields take a comma-separated list that replaces
 * the file's values; a message field takes a text-format body, e.g. {@code method.lora={rank: 4}}.
 */
final class Overrides {
  private Overrides() {}

  /** Applies each override in order; returns field path to "--set ..." for error locations. */
  static Map<String, String> apply(Message.Builder root, List<String> overrides) {
    Map<String, String> setBy = new LinkedHashMap<>();
    for (String override : overrides) {
      String where = "--set " + override;
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw ConfigError.at(where, "", "expected field.path=value");
      }
      String path = override.substring(0, eq).trim();
      String value = override.substring(eq + 1).trim();
      apply(root, path, value, where);
      setBy.put(path, where);
    }
    return setBy;
  }

  private static void apply(Message.Builder root, String path, String value, String where) {
    String[] parts = path.split("\\.", -1);
    Message.Builder builder = root;
    String walked = "";
    for (int i = 0; i < parts.length; i++) {
      Descriptor type = builder.getDescriptorForType();
      FieldDescriptor field = type.findFieldByName(parts[i]);
      if (field == null) {
        throw ConfigError.at(where, FieldPaths.join(walked, parts[i]),
            "unknown field '" + parts[i] + "'; " + FieldPaths.suggest(type, parts[i]));
      }
      walked = FieldPaths.join(walked, parts[i]);
      boolean last = i == parts.length - 1;
      if (!last) {
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
          throw ConfigError.at(where, walked, "is not a message, so it has no field '"
              + parts[i + 1] + "'");
        }
        builder = builder.getFieldBuilder(field);
        continue;
      }
      setField(builder, field, value, where, walked);
    }
  }

  private static void setField(
      Message.Builder builder, FieldDescriptor field, String value, String where, String path) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      if (field.isRepeated()) {
        throw ConfigError.at(where, path, "a repeated message cannot be set with --set; "
            + "edit the config file");
      }
      String body = value.startsWith("{") && value.endsWith("}")
          ? value.substring(1, value.length() - 1) : value;
      Message.Builder sub = builder.newBuilderForField(field);
      try {
        TextFormat.merge(body, sub);
      } catch (TextFormat.ParseException e) {
        throw ConfigError.at(where, path, "cannot parse the message value: " + e.getMessage());
      }
      builder.setField(field, sub.build());
      return;
    }
    if (field.isRepeated()) {
      builder.clearField(field);
      if (value.isEmpty() || value.equals("[]")) {
        return;
      }
      String list = value.startsWith("[") && value.endsWith("]")
          ? value.substring(1, value.length() - 1) : value;
      for (String item : splitList(list)) {
        builder.addRepeatedField(field, parseScalar(field, item.trim(), where, path));
      }
      return;
    }
    builder.setField(field, parseScalar(field, value, where, path));
  }

  private static List<String> splitList(String list) {
    List<String> items = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (char c : list.toCharArray()) {
      if (quote != 0) {
        cur.append(c);
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        cur.append(c);
      } else if (c == ',') {
        items.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    items.add(cur.toString());
    return items;
  }

  /** Parses one scalar value for {@code field}. */
  static Object parseScalar(FieldDescriptor field, String value, String where, String path) {
    try {
      switch (field.getJavaType()) {
        case INT:
          return Integer.parseInt(value);
        case LONG:
          return Long.parseLong(value);
        case FLOAT:
          return Float.parseFloat(value);
        case DOUBLE:
          return Double.parseDouble(value);
        case BOOLEAN:
          if (value.equals("true") || value.equals("1")) {
            return true;
          }
          if (value.equals("false") || value.equals("0")) {
            return false;
          }
          throw ConfigError.at(where, path, "expected true or false, got '" + value + "'");
        case STRING:
          return unquote(value);
        case ENUM:
          EnumDescriptor type = field.getEnumType();
          EnumValueDescriptor v = type.findValueByName(value);
          if (v == null) {
            v = type.findValueByName(value.toUpperCase(java.util.Locale.ROOT));
          }
          if (v == null) {
            throw ConfigError.at(where, path, "'" + value + "' is not a value of "
                + type.getName() + "; use one of " + enumNames(type));
          }
          return v;
        default:
          throw ConfigError.at(where, path, "fields of type " + field.getType()
              + " cannot be set with --set");
      }
    } catch (NumberFormatException e) {
      String kind = switch (field.getJavaType()) {
        case INT, LONG -> "an integer";
        default -> "a number";
      };
      throw ConfigError.at(where, path, "expected " + kind + ", got '" + value + "'");
    }
  }

  private static String unquote(String value) {
    if (value.length() >= 2
        && (value.startsWith("\"") && value.endsWith("\"")
            || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  static String enumNames(EnumDescriptor type) {
    return type.getValues().stream().map(EnumValueDescriptor::getName)
        .collect(Collectors.joining(", "));
  }
}
