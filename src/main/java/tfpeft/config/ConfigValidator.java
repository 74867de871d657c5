package tfpeft.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.stream.Collectors;
import tfpeft.config.proto.Options;

/**
 * Checks a config against the schema's own annotations: (min), (max), (min_exclusive),
 * (required) and (required_oneof). Only what was written is range-checked; defaults are valid by
 * construction.
 */
final class ConfigValidator {
  private ConfigValidator() {}

  static void validate(Message message, ConfigLoader.Locator locator) {
    validate(message, "", locator);
  }

  /** Checks {@code message}, which sits at field path {@code prefix} of a run config. */
  static void validate(Message message, String prefix, ConfigLoader.Locator locator) {
    for (OneofDescriptor oneof : message.getDescriptorForType().getRealOneofs()) {
      if (oneof.getOptions().getExtension(Options.requiredOneof)
          && !message.hasOneof(oneof)) {
        List<String> names = oneof.getFields().stream().map(FieldDescriptor::getName)
            .collect(Collectors.toList());
        throw locator.error(prefix, "set one of " + String.join(", ", names) + " (the " + oneof.getName() + ")");
      }
    }
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String path = FieldPaths.join(prefix, field.getName());
      boolean present = field.isRepeated() ? message.getRepeatedFieldCount(field) > 0
          : message.hasField(field);
      if (field.getOptions().getExtension(Options.required)) {
        boolean empty = !present
            || (field.getJavaType() == FieldDescriptor.JavaType.STRING
                && ((String) message.getField(field)).isEmpty());
        if (empty) {
          throw locator.error(path, "is required; "
              + (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                  ? "add a '" + field.getName() + " { ... }' block"
                  : "set it to a non-empty value"));
        }
      }
      if (!present) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (field.isRepeated()) {
          for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            validate((Message) message.getRepeatedField(field, i), path, locator);
          }
        } else {
          validate((Message) message.getField(field), path, locator);
        }
        continue;
      }
      if (field.isRepeated()) {
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          checkRange(field, message.getRepeatedField(field, i), path, locator);
        }
      } else {
        checkRange(field, message.getField(field), path, locator);
      }
    }
  }

  private static void checkRange(
      FieldDescriptor field, Object value, String path, ConfigLoader.Locator locator) {
    if (!(value instanceof Number number)) {
      return;
    }
    double v = number.doubleValue();
    var options = field.getOptions();
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw locator.error(path, "must be a finite number, got " + value);
    }
    if (options.hasExtension(Options.min) && v < options.getExtension(Options.min)) {
      throw locator.error(path, "must be >= " + fmt(options.getExtension(Options.min))
          + ", got " + value);
    }
    if (options.hasExtension(Options.max) && v > options.getExtension(Options.max)) {
      throw locator.error(path, "must be <= " + fmt(options.getExtension(Options.max))
          + ", got " + value);
    }
    if (options.hasExtension(Options.minExclusive)
        && v <= options.getExtension(Options.minExclusive)) {
      throw locator.error(path, "must be > " + fmt(options.getExtension(Options.minExclusive))
          + ", got " + value);
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
