package tfpeft.model.imports;

import tfpeft.model.weights.NamedTensor;

/** Checks the two CLIP layouts share. */
final class ClipTables {
  private ClipTables() {}

  /**
   * The mlp_ratio of both towers, which must agree: tfpeft's ClipConfig has one.
   *
   * @param visionTensor, textTensor the first MLP weights the hidden widths were read from
   */
  static float mlpRatio(SourceTensors src, String visionTensor, int visionWidth,
      int visionHidden, String textTensor, int textWidth, int textHidden) {
    float v = Shapes.mlpRatio(src, visionTensor, visionWidth, visionHidden);
    float t = Shapes.mlpRatio(src, textTensor, textWidth, textHidden);
    if (v != t) {
      throw src.error(textTensor, "gives the text MLP " + t + " times the token width while the "
          + "vision MLP has " + v + " times; tfpeft's CLIP has one mlp_ratio for both towers");
    }
    return v;
  }

  /** The embedding dimension, which both projections must share. */
  static int embedDim(SourceTensors src, String visionProj, long visionE, String textProj,
      long textE) {
    if (visionE != textE) {
      throw src.error(textProj, "projects text to " + textE + " dimensions but '" + visionProj
          + "' projects images to " + visionE + "; the two must meet in one space");
    }
    return Math.toIntExact(visionE);
  }

  /** Checks that dimension {@code axis} of a tensor equals a number read elsewhere. */
  static void expectDim(SourceTensors src, String name, long[] shape, int axis, long value,
      String what) {
    if (shape[axis] != value) {
      throw src.error(name, "has shape " + NamedTensor.formatShape(shape) + "; dimension " + axis
          + " should be the " + what + ", " + value);
    }
  }
}
