package tfpeft.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tfpeft.config.proto.SuiteConfig;

/**
 * Loads a suite config (.pbtxt) as {@link ConfigLoader} loads a run config: parse errors and
 * the schema's (min)/(required) annotations are reported with file, line and field path. Repeated
 * blocks are indexed in paths ({@code task[3].name}), so an error in the fourth task points at it.
 */
public final class SuiteLoader {
  private SuiteLoader() {}

  public static LoadedSuite load(Path file) {
    return parse(ConfigLoader.readText(file), file.toString());
  }

  public static LoadedSuite parse(String text, String source) {
    SuiteConfig.Builder builder = SuiteConfig.newBuilder();
    TextFormatParseInfoTree.Builder treeBuilder = TextFormatParseInfoTree.builder();
    try {
      TextFormat.Parser.newBuilder().setParseInfoTreeBuilder(treeBuilder)
          .setSingularOverwritePolicy(
              TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
          .build().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw ConfigLoader.describeParseError(text, source, e,
          SuiteConfig.getDescriptor());
    }
    Map<String, String> locations = new HashMap<>();
    collect(builder.getDescriptorForType(), treeBuilder.build(), "", source, locations);
    ConfigLoader.Locator locator = new ConfigLoader.Locator(source, locations);
    SuiteConfig config = builder.build();
    validate(config, "", locator);
    return new LoadedSuite(config, source, locator);
  }

  /**
   * Checks the schema's annotations, indexing repeated blocks in the paths (the run-config
   * validator names a repeated block by its field alone).
   */
  private static void validate(Message message, String prefix, ConfigLoader.Locator locator) {
    Message.Builder flat = message.toBuilder();
    for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
      if (f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        flat.clearField(f);
      }
    }
    ConfigValidator.validate(flat.build(), prefix, locator);
    for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
      if (f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        for (int i = 0; i < message.getRepeatedFieldCount(f); i++) {
          validate((Message) message.getRepeatedField(f, i),
              FieldPaths.join(prefix, f.getName()) + "[" + i + "]", locator);
        }
      }
    }
  }

  private static void collect(Descriptor type, TextFormatParseInfoTree tree, String prefix,
      String source, Map<String, String> out) {
    for (FieldDescriptor field : type.getFields()) {
      List<TextFormatParseLocation> locs = tree.getLocations(field);
      String path = FieldPaths.join(prefix, field.getName());
      for (int i = 0; i < locs.size(); i++) {
        TextFormatParseLocation loc = locs.get(i);
        String where = source + ":" + (loc.getLine() + 1) + ":" + (loc.getColumn() + 1);
        out.putIfAbsent(path, where);
        String indexed = field.isRepeated() ? path + "[" + i + "]" : path;
        out.put(indexed, where);
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          collect(field.getMessageType(), tree.getNestedTree(field, i), indexed, source, out);
        }
      }
    }
  }
}
