package tfpeft.model.imports;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Map;
import java.util.Set;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.VitConfig;

/**
 * Reconciles the architecture read from the weights with the one a config asks for. Only fields
 * the request sets count (pass the config as written, not with defaults filled in, or every
 * default becomes a request). Per field:
 *
 * <ul>
 *   <li>{@code image_size}: the request wins; the position embeddings are resampled to it.
 *   <li>{@code pooling}, {@code tokenizer}, {@code templates}: not properties of the weights; the
 *       request wins.
 *   <li>fields the file does not state and the table assumed by convention (OpenAI's heads,
 *       the npz's LayerNorm epsilon...): the request wins.
 *   <li>everything else is fixed by the weights: a different value is an error naming the field
 *       and both values.
 * </ul>
 */
final class Architecture {
  private static final Set<String> FREE = Set.of("pooling", "tokenizer", "templates");

  private Architecture() {}

  static ModelConfig merge(Inferred inferred, ModelConfig requested, String source) {
    ModelConfig file = inferred.model();
    Message fileArch = file.hasVit() ? file.getVit() : file.getClip();
    String kind = file.hasVit() ? "vit" : "clip";
    Message.Builder merged = fileArch.toBuilder();
    if (requested != null && (requested.hasVit() || requested.hasClip())) {
      if (requested.hasVit() != file.hasVit()) {
        throw TfpeftException.usage("model: the config describes a "
            + (requested.hasVit() ? "vit" : "clip") + " backbone but " + source + " holds "
            + (file.hasVit() ? "ViT" : "CLIP") + " weights");
      }
      Message asked = requested.hasVit() ? requested.getVit() : requested.getClip();
      for (Map.Entry<FieldDescriptor, Object> e : asked.getAllFields().entrySet()) {
        FieldDescriptor f = e.getKey();
        String name = f.getName();
        if (FREE.contains(name) || name.equals("image_size") || inferred.assumed().contains(name)) {
          merged.setField(f, e.getValue());
        } else if (!same(fileArch.getField(f), e.getValue())) {
          throw TfpeftException.usage("model." + kind + "." + name + ": the weights in " + source
              + " have " + show(fileArch.getField(f)) + ", the config asks for "
              + show(e.getValue()) + "; the weights fix this field, so leave it out of the "
              + "config or set it to " + show(fileArch.getField(f)));
        }
      }
    }
    ModelConfig out = file.hasVit()
        ? ModelConfig.newBuilder().setVit((VitConfig) merged.build()).build()
        : ModelConfig.newBuilder().setClip((ClipConfig) merged.build()).build();
    check(out, inferred, source);
    return out;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Float x && b instanceof Float y) {
      return Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y));
    }
    return a.equals(b);
  }

  private static String show(Object v) {
    return v instanceof Float f ? String.valueOf(f) : v.toString();
  }

  private static void check(ModelConfig m, Inferred inferred, String source) {
    if (m.hasVit()) {
      VitConfig c = m.getVit();
      imageSize("vit", c.getImageSize(), c.getPatchSize());
      heads("vit.heads", c.getHeads(), "width", c.getWidth(), inferred, source, "--heads");
    } else {
      ClipConfig c = m.getClip();
      imageSize("clip", c.getImageSize(), c.getPatchSize());
      heads("clip.vision_heads", c.getVisionHeads(), "vision_width", c.getVisionWidth(),
          inferred, source, "--heads");
      heads("clip.text_heads", c.getTextHeads(), "text_width", c.getTextWidth(), inferred,
          source, "--text-heads");
    }
  }

  private static void imageSize(String kind, int size, int patch) {
    if (size < patch || size % patch != 0) {
      throw TfpeftException.usage("model." + kind + ".image_size: " + size + " is not a "
          + "multiple of the weights' patch size " + patch);
    }
  }

  private static void heads(String field, int heads, String widthField, int width,
      Inferred inferred, String source, String flag) {
    if (heads == 0) {
      throw TfpeftException.usage("model." + field + ": " + source + " (" + inferred.layout()
          + ") does not store the number of attention heads and its convention, width / 64, "
          + "does not fit " + widthField + " " + width + "; set model." + field
          + " in the config (tfpeft import: " + flag + " N)");
    }
    if (width % heads != 0) {
      throw TfpeftException.usage("model." + field + ": " + heads + " heads do not divide "
          + widthField + " " + width);
    }
  }
}
