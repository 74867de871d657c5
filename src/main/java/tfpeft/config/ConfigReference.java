package tfpeft.config;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tfpeft.config.proto.Options;
import tfpeft.config.proto.RunConfig;

/**
 * The config reference, generated from the schema and its comments (shipped in the jar as a
 * descriptor set with source info), so the documentation cannot drift from the code.
 */
public final class ConfigReference {
  private static final String SCHEMA = "/tfpeft/config/config-schema.desc";
  private final Map<String, String> comments = new HashMap<>();

  private ConfigReference() {
    try (InputStream in = ConfigReference.class.getResourceAsStream(SCHEMA)) {
      if (in == null) {
        return;
      }
      for (FileDescriptorProto file : FileDescriptorSet.parseFrom(in).getFileList()) {
        index(file);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the bundled config schema", e);
    }
  }

  private void index(FileDescriptorProto file) {
    for (SourceCodeInfo.Location loc : file.getSourceCodeInfo().getLocationList()) {
      String text = loc.getLeadingComments().strip().replaceAll("\\s*\\n\\s*", " ");
      if (text.isEmpty()) {
        continue;
      }
      List<Integer> p = loc.getPathList();
      String key = keyFor(file, p);
      if (key != null) {
        comments.put(key, text);
      }
    }
  }

  private static String keyFor(FileDescriptorProto file, List<Integer> p) {
    String pkg = file.getPackage() + ".";
    if (p.size() >= 2 && p.get(0) == FileDescriptorProto.MESSAGE_TYPE_FIELD_NUMBER) {
      DescriptorProto m = file.getMessageType(p.get(1));
      if (p.size() == 2) {
        return pkg + m.getName();
      }
      if (p.size() == 4 && p.get(2) == DescriptorProto.FIELD_FIELD_NUMBER) {
        return pkg + m.getName() + "." + m.getField(p.get(3)).getName();
      }
      if (p.size() == 4 && p.get(2) == DescriptorProto.ONEOF_DECL_FIELD_NUMBER) {
        return pkg + m.getName() + "#" + m.getOneofDecl(p.get(3)).getName();
      }
      if (p.size() >= 4 && p.get(2) == DescriptorProto.ENUM_TYPE_FIELD_NUMBER) {
        // an enum nested in a message: TrainingConfig.WarmupType and its values
        EnumDescriptorProto e = m.getEnumType(p.get(3));
        String name = pkg + m.getName() + "." + e.getName();
        if (p.size() == 4) {
          return name;
        }
        if (p.size() == 6 && p.get(4) == EnumDescriptorProto.VALUE_FIELD_NUMBER) {
          return name + "." + e.getValue(p.get(5)).getName();
        }
      }
    }
    if (p.size() >= 2 && p.get(0) == FileDescriptorProto.ENUM_TYPE_FIELD_NUMBER) {
      EnumDescriptorProto e = file.getEnumType(p.get(1));
      if (p.size() == 2) {
        return pkg + e.getName();
      }
      if (p.size() == 4 && p.get(2) == EnumDescriptorProto.VALUE_FIELD_NUMBER) {
        return pkg + e.getName() + "." + e.getValue(p.get(3)).getName();
      }
    }
    return null;
  }

  /** The comment of a field, as written in the schema; empty when it has none. */
  public static String comment(FieldDescriptor f) {
    return new ConfigReference().comments.getOrDefault(f.getFullName(), "");
  }

  /** The whole reference as Markdown: one table per message, reachable from RunConfig. */
  public static String markdown() {
    return new ConfigReference().render(RunConfig.getDescriptor());
  }

  /** The reference of another schema root (the suite config), as {@link #markdown()} renders. */
  public static String markdown(Descriptor root) {
    return new ConfigReference().render(root);
  }

  private String render(Descriptor root) {
    StringBuilder sb = new StringBuilder();
    Set<Descriptor> seen = new LinkedHashSet<>();
    Set<EnumDescriptor> enums = new LinkedHashSet<>();
    ArrayDeque<Descriptor> queue = new ArrayDeque<>(List.of(root));
    while (!queue.isEmpty()) {
      Descriptor m = queue.poll();
      if (!seen.add(m)) {
        continue;
      }
      sb.append("#### ").append(m.getName()).append("\n\n");
      String doc = comments.getOrDefault(m.getFullName(), "");
      if (!doc.isEmpty()) {
        sb.append(doc).append("\n\n");
      }
      if (m.getFields().isEmpty()) {
        sb.append("No fields: selecting it is the whole setting.\n\n");
        continue;
      }
      sb.append("| field | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
      List<Descriptor> children = new ArrayList<>();
      for (FieldDescriptor f : m.getFields()) {
        sb.append("| `").append(f.getName()).append("` | ").append(typeName(f)).append(" | ")
            .append(defaultText(f)).append(" | ").append(allowed(f)).append(" | ")
            .append(describe(f)).append(" |\n");
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && (root == RunConfig.getDescriptor()
                || f.getMessageType().getFile() != RunConfig.getDescriptor().getFile())) {
          // another root's use of a run-config block (a suite's DataConfig) is described in
          // the run config's reference, not again
          children.add(f.getMessageType());
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.ENUM) {
          enums.add(f.getEnumType());
        }
      }
      sb.append('\n');
      queue.addAll(children);
    }
    for (EnumDescriptor e : enums) {
      sb.append("#### enum ").append(e.getName()).append("\n\n");
      for (EnumValueDescriptor v : e.getValues()) {
        String doc = comments.getOrDefault(e.getFullName() + "." + v.getName(), "");
        sb.append("- `").append(v.getName()).append('`').append(doc.isEmpty() ? "" : ": " + doc)
            .append('\n');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private String describe(FieldDescriptor f) {
    String doc = comments.getOrDefault(f.getFullName(), "");
    if (f.getRealContainingOneof() != null) {
      doc = "(one of `" + f.getRealContainingOneof().getName() + "`) " + doc;
    }
    return doc.replace("|", "\\|");
  }

  private static String typeName(FieldDescriptor f) {
    String t = switch (f.getJavaType()) {
      case MESSAGE -> f.getMessageType().getName();
      case ENUM -> f.getEnumType().getName();
      case INT -> "int32";
      case LONG -> "int64";
      default -> f.getType().name().toLowerCase(java.util.Locale.ROOT);
    };
    return f.isRepeated() ? "repeated " + t : t;
  }

  private static String defaultText(FieldDescriptor f) {
    if (f.isRepeated()) {
      return "empty";
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return f.getRealContainingOneof() != null ? "unset" : "defaults";
    }
    Object v = f.getDefaultValue();
    if (v instanceof String s) {
      return s.isEmpty() ? "\"\"" : "\"" + s + "\"";
    }
    if (v instanceof EnumValueDescriptor e) {
      return e.getName();
    }
    return v.toString();
  }

  private static String allowed(FieldDescriptor f) {
    var o = f.getOptions();
    List<String> parts = new ArrayList<>();
    if (o.getExtension(Options.required)) {
      parts.add("required");
    }
    if (o.hasExtension(Options.min)) {
      parts.add(">= " + ConfigValidator.fmt(o.getExtension(Options.min)));
    }
    if (o.hasExtension(Options.minExclusive)) {
      parts.add("> " + ConfigValidator.fmt(o.getExtension(Options.minExclusive)));
    }
    if (o.hasExtension(Options.max)) {
      parts.add("<= " + ConfigValidator.fmt(o.getExtension(Options.max)));
    }
    return String.join(", ", parts);
  }
}
