package tfpeft.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import tfpeft.config.proto.RunConfig;

/**
 * Fills every unset field with its schema default, creating every non-oneof sub-message, so that
 * the resolved config shows each value a run used. Oneof members are filled only when selected.
 */
public final class Defaults {
  private Defaults() {}

  public static RunConfig fill(RunConfig config) {
    RunConfig.Builder b = config.toBuilder();
    fill(b);
    return b.build();
  }

  static void fill(Message.Builder builder) {
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        continue;
      }
      boolean inOneof = field.getRealContainingOneof() != null;
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (!inOneof || builder.hasField(field)) {
          fill(builder.getFieldBuilder(field));
        }
      } else if (!inOneof && !builder.hasField(field)) {
        builder.setField(field, field.getDefaultValue());
      }
    }
  }
}
