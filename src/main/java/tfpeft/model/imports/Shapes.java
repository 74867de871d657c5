package tfpeft.model.imports;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.config.proto.Gelu;
import tfpeft.model.weights.NamedTensor;

/** Reading architecture numbers off tensor shapes, with errors naming the file and tensor. */
final class Shapes {
  private Shapes() {}

  /** The shape of {@code name}, which must have {@code rank} dimensions. */
  static long[] ofRank(SourceTensors src, String name, int rank, String why) {
    long[] s = src.shape(name, why);
    if (s.length != rank) {
      throw src.error(name, "has shape " + NamedTensor.formatShape(s) + ", expected " + rank
          + " dimensions");
    }
    return s;
  }

  /** Dimension {@code axis} of a tensor shape as an int. */
  static int dim(long[] shape, int axis) {
    return Math.toIntExact(shape[axis]);
  }

  /**
   * {@code fromShape}, after checking that config.json's {@code key}, where present, says the
   * same.
   */
  static int checked(ConfigJson config, String key, int fromShape, String tensor, long[] shape) {
    var stated = config.integer(key);
    if (stated.isPresent() && stated.getAsInt() != fromShape) {
      throw config.error(key, "is " + stated.getAsInt() + " but tensor '" + tensor + "' of the "
          + "weights has shape " + NamedTensor.formatShape(shape) + ", which means "
          + fromShape + "; the config.json does not belong to these weights");
    }
    return fromShape;
  }

  /** {@code count} (of blocks), after checking config.json's {@code key} where present. */
  static int checkedCount(ConfigJson config, String key, int count, String what) {
    var stated = config.integer(key);
    if (stated.isPresent() && stated.getAsInt() != count) {
      throw config.error(key, "is " + stated.getAsInt() + " but the weights have " + count + " "
          + what + "; the config.json does not belong to these weights");
    }
    return count;
  }

  /** The number of blocks: one more than the largest index captured by {@code pattern}. */
  static int countBlocks(SourceTensors src, Pattern pattern) {
    int depth = 0;
    for (String n : src.names()) {
      Matcher m = pattern.matcher(n);
      if (m.lookingAt()) {
        depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
      }
    }
    return depth;
  }

  /** g for position embeddings of 1 + g*g tokens. */
  static int grid(SourceTensors src, String name, long tokens) {
    int g = (int) Math.round(Math.sqrt(tokens - 1));
    if (tokens < 2 || (long) g * g != tokens - 1) {
      throw src.error(name, "has " + tokens + " positions, which is not a class token and a "
          + "square grid of patches");
    }
    return g;
  }

  /** hidden / width as the config's mlp_ratio, checked to give hidden back. */
  static float mlpRatio(SourceTensors src, String tensor, int width, int hidden) {
    float ratio = (float) hidden / width;
    if (Math.round(width * ratio) != hidden) {
      throw src.error(tensor, "has an MLP width of " + hidden + " for a token width of " + width
          + ", which tfpeft cannot express as an mlp_ratio");
    }
    return ratio;
  }

  /** A Hugging Face hidden_act as tfpeft's GELU kind. */
  static Gelu gelu(ConfigJson config, String key, String act) {
    return switch (act.toLowerCase(Locale.ROOT)) {
      case "gelu" -> Gelu.GELU_EXACT;
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Gelu.GELU_TANH;
      case "quick_gelu" -> Gelu.QUICK_GELU;
      default -> throw config.error(key, "is \"" + act + "\", an activation tfpeft's blocks "
          + "do not have (supported: gelu, gelu_new, gelu_pytorch_tanh, quick_gelu)");
    };
  }
}
