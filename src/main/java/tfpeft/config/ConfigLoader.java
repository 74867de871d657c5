package tfpeft.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;

/**
 * Loads a run config: parses the .pbtxt, applies {@code --set} overrides, validates ranges and
 * required parts against the schema's annotations, and fills every default in. Every error names
 * the file, line and field path (or the {@code --set} argument it came from).
 */
public final class ConfigLoader {
  private static final Pattern UNKNOWN_FIELD =
      Pattern.compile("Message type \"([\\w.]+)\" has no field named \"(\\w+)\"");
  /** protobuf-java lists every unknown field as "line:col:\ttfpeft.Type.field". */
  private static final Pattern UNKNOWN_FIELD_LIST =
      Pattern.compile("(\\d+):(\\d+):\\s*([\\w.]+)\\.(\\w+)");
  private static final Pattern UNKNOWN_ENUM =
      Pattern.compile("Enum type \"([\\w.]+)\" has no value named \"(\\w+)\"");

  private ConfigLoader() {}

  /**
   * Loads {@code file} and applies {@code overrides} ("field.path=value"); the model is the
   * config's own, whatever weights it names (for reading a config as text; commands that build
   * or describe the model use {@link #load(Path, List, WeightsArchitecture)}).
   */
  public static LoadedConfig load(Path file, List<String> overrides) {
    return load(file, overrides, null);
  }

  /**
   * Loads {@code file}, applies {@code overrides}, and takes the architecture from the
   * pretrained weights when the config names any: the resolved config is then the model the
   * run builds, and the checks that compare the method with the model (prompt depths, widths)
   * see that model.
   *
   * @param architecture reads the weights' architecture; null keeps the config's own
   */
  public static LoadedConfig load(Path file, List<String> overrides,
      WeightsArchitecture architecture) {
    return parse(readText(file), file.toString(), overrides, architecture);
  }

  /**
   * The {@code data { ... }} block of {@code file}, a config fragment or a whole run config
   * (whose other blocks are not read): the dataset {@code tfpeft eval --data} evaluates a run
   * on. It is checked as a run's data is; defaults are filled in with the run it joins.
   */
  public static DataConfig loadData(Path file) {
    String text = readText(file);
    String source = file.toString();
    RunConfig.Builder builder = RunConfig.newBuilder();
    TextFormatParseInfoTree.Builder treeBuilder = TextFormatParseInfoTree.builder();
    try {
      TextFormat.Parser.newBuilder().setParseInfoTreeBuilder(treeBuilder)
          .setSingularOverwritePolicy(
              TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
          .build().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw describeParseError(text, source, e, RunConfig.getDescriptor());
    }
    if (!builder.hasData()) {
      throw TfpeftException.usage(source + ": no data { ... } block; --data takes a file that"
          + " names the dataset to evaluate on in one");
    }
    Map<String, String> locations = new HashMap<>();
    collectLocations(builder.getDescriptorForType(), treeBuilder.build(), "", source, locations);
    ConfigValidator.validate(builder.getData(), "data", new Locator(source, locations));
    return builder.getData();
  }

  /** The largest config file read: run configs are a few KB, and memory stays bounded. */
  static final int MAX_CONFIG_BYTES = 16 << 20;

  static String readText(Path file) {
    String text;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
      if (bytes.length > MAX_CONFIG_BYTES) {
        throw TfpeftException.usage(file + ": config file is larger than "
            + (MAX_CONFIG_BYTES >> 20) + " MiB; a run config is a few KB of text: is this the"
            + " right file?");
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(file + ": config file not found");
    } catch (CharacterCodingException e) {
      throw TfpeftException.usage(file + ": config file is not UTF-8 text");
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read config file: " + e.getMessage());
    }
    return text;
  }

  /** Parses config text; {@code source} names it in errors. The model is the config's own. */
  public static LoadedConfig parse(String text, String source, List<String> overrides) {
    return parse(text, source, overrides, null);
  }

  /** Parses config text as {@link #load(Path, List, WeightsArchitecture)} loads a file. */
  public static LoadedConfig parse(String text, String source, List<String> overrides,
      WeightsArchitecture architecture) {
    RunConfig.Builder builder = RunConfig.newBuilder();
    TextFormatParseInfoTree.Builder treeBuilder = TextFormatParseInfoTree.builder();
    TextFormat.Parser parser =
        TextFormat.Parser.newBuilder()
            .setParseInfoTreeBuilder(treeBuilder)
            .setSingularOverwritePolicy(
                TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
            .build();
    try {
      parser.merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw describeParseError(text, source, e, RunConfig.getDescriptor());
    }
    Map<String, String> locations = new HashMap<>();
    collectLocations(builder.getDescriptorForType(), treeBuilder.build(), "", source, locations);
    Map<String, String> setBy = Overrides.apply(builder, overrides);
    locations.putAll(setBy);
    Locator locator = new Locator(source, locations);
    ConfigValidator.validate(builder.build(), locator);
    RunConfig written = builder.build();
    RunConfig resolved = Defaults.fill(written);
    String architectureFrom = "";
    if (architecture != null && !resolved.getModel().getWeights().getPath().isEmpty()) {
      WeightsConfig weights = resolved.getModel().getWeights();
      ModelConfig model = architecture.of(weights, written.getModel());
      if (model != null) {
        resolved = Defaults.fill(resolved.toBuilder().setModel(
            model.toBuilder().setWeights(weights)).build());
        architectureFrom = weights.getPath();
      }
    }
    SemanticChecks.check(resolved, locator);
    return new LoadedConfig(resolved, written, source, architectureFrom);
  }

  /**
   * A text-format parse error of a {@code root} message (a run or a suite config) as a config
   * error at its file, line and field path, with the field or enum value that was meant.
   */
  static TfpeftException describeParseError(
      String text, String source, TextFormat.ParseException e, Descriptor root) {
    String message = e.getMessage();
    String detail = message.replaceFirst("^\\d+:\\d+: ", "");
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
      Descriptor type = root.getFile().findMessageTypeByName(name);
      if (type == null) { // a suite embeds run-config messages (DataConfig)
        type = RunConfig.getDescriptor().getFile().findMessageTypeByName(name);
      }
      String field = unknown.group(2);
      String parent = TextLocator.messagePathAt(text, line, column);
      List<String> elsewhere = FieldPaths.wherever(root, field);
      elsewhere.remove(FieldPaths.join(parent, field));
      detail = "unknown field '" + field + "'"
          + (elsewhere.isEmpty() ? "" : "; it belongs in " + alternatives(elsewhere)
              + " (write it inside that block)")
          + (type == null ? "" : "; " + FieldPaths.suggest(type, field));
      path = FieldPaths.join(parent, field);
    }
    Matcher badEnum = UNKNOWN_ENUM.matcher(detail);
    if (badEnum.find()) {
      String name = badEnum.group(1).replaceFirst("^tfpeft\\.", "");
      var enumType = root.getFile().findEnumTypeByName(name);
      if (enumType == null) {
        enumType = RunConfig.getDescriptor().getFile().findEnumTypeByName(name);
      }
      detail = "'" + badEnum.group(2) + "' is not a value of " + badEnum.group(1)
          .replaceFirst("^tfpeft\\.", "")
          + (enumType == null ? "" : "; use one of " + Overrides.enumNames(enumType));
    }
    return ConfigError.at(source + ":" + line + ":" + column, path, detail);
  }

  private static void collectLocations(
      Descriptor type,
      TextFormatParseInfoTree tree,
      String prefix,
      String source,
      Map<String, String> out) {
    for (FieldDescriptor field : type.getFields()) {
      List<TextFormatParseLocation> locs = tree.getLocations(field);
      if (locs.isEmpty()) {
        continue;
      }
      String path = FieldPaths.join(prefix, field.getName());
      TextFormatParseLocation first = locs.get(0);
      out.put(path, source + ":" + (first.getLine() + 1) + ":" + (first.getColumn() + 1));
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
        collectLocations(field.getMessageType(), tree.getNestedTree(field, 0), path, source, out);
      }
    }
  }

  /** Says where a field path was set: a file position, a --set argument, or the file itself. */
  static final class Locator {
    private final String source;
    private final Map<String, String> locations;

    Locator(String source, Map<String, String> locations) {
      this.source = source;
      this.locations = locations;
    }

    /** The most precise known place for {@code path}: itself, else its nearest ancestor. */
    String where(String path) {
      String p = path;
      while (!p.isEmpty()) {
        String loc = locations.get(p);
        if (loc != null) {
          return loc;
        }
        int dot = p.lastIndexOf('.');
        p = dot < 0 ? "" : p.substring(0, dot);
      }
      return source;
    }

    TfpeftException error(String path, String problem) {
      return ConfigError.at(where(path), path, problem);
    }
  }

  /** "a", "a or b", "one of a, b or c". */
  static String alternatives(List<String> paths) {
    if (paths.size() < 3) {
      return String.join(" or ", paths);
    }
    return "one of " + String.join(", ", paths.subList(0, paths.size() - 1)) + " or "
        + paths.get(paths.size() - 1);
  }
}
