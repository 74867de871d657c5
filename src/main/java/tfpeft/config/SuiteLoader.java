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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;
import tfpeft.config.proto.SuiteConfig;

/**
 * Loads a suite config (.pbtxt) as {@link ConfigLoader} loads a run config: parse errors and
 * the schema's (min)/(required) annotations are reported with file, line and field path. Repeated
 * blocks are indexed in paths ({@code task[3].name}), so an error in the fourth task points at it.
 */
public final class SuiteLoader {
  private static final Pattern UNKNOWN_FIELD =
      Pattern.compile("Message type \"([\\w.]+)\" has no field named \"(\\w+)\"");
  private static final Pattern UNKNOWN_FIELD_LIST =
      Pattern.compile("(\\d+):(\\d+):\\s*([\\w.]+)\\.(\\w+)");

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
      throw parseError(text, source, e);
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

  private static TfpeftException parseError(String text, String source,
      TextFormat.ParseException e) {
    String detail = e.getMessage().replaceFirst("^\\d+:\\d+: ", "");
    int line = Math.max(e.getLine(), 1);
    int column = Math.max(e.getColumn(), 1);
    Matcher listed = UNKNOWN_FIELD_LIST.matcher(detail);
    if (detail.startsWith("Input contains unknown fields") && listed.find()) {
      line = Integer.parseInt(listed.group(1));
      column = Integer.parseInt(listed.group(2));
      detail = "Message type \"" + listed.group(3) + "\" has no field named \""
          + listed.group(4) + "\"";
    }
    String path = TextLocator.pathAt(text, line, column);
    Matcher unknown = UNKNOWN_FIELD.matcher(detail);
    if (unknown.find()) {
      String name = unknown.group(1).replaceFirst("^tfpeft\\.", "");
      Descriptor type = SuiteConfig.getDescriptor().getFile().findMessageTypeByName(name);
      if (type == null) {
        type = tfpeft.config.proto.RunConfig.getDescriptor().getFile().findMessageTypeByName(name);
      }
      String parent = TextLocator.messagePathAt(text, line, column);
      path = FieldPaths.join(parent, unknown.group(2));
      detail = "unknown field '" + unknown.group(2) + "'"
          + (type == null ? "" : "; " + FieldPaths.suggest(type, unknown.group(2)));
    }
    return ConfigError.at(source + ":" + line + ":" + column, path, detail);
  }
}
