package tfpeft.peft.ssf;

import org.tensorflow.Session;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/**
 * SSF's re-parameterization (the paper's Eq. 2): a scale and shift pair joins the operation
 * before it, so the served model computes the same with no SSF op. Weights are row-major with a
 * Linear's W [in, out].
 */
public final class ScaleShiftFold {
  static final String BACKBONE = "backbone/";
  static final String POSITION_EMBEDDING = "backbone/pos_embed";

  private ScaleShiftFold() {}

  /** gamma * (x W + b) + beta = x (W diag(gamma)) + (gamma * b + beta): W's columns scaled. */
  public static float[] linearWeight(float[] w, float[] scale, int in, int out) {
    if (w.length != in * out || scale.length != out) {
      throw new IllegalArgumentException("W has " + w.length + " values, scale " + scale.length
          + ", for in " + in + ", out " + out);
    }
    float[] folded = new float[w.length];
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        folded[i * out + j] = w[i * out + j] * scale[j];
      }
    }
    return folded;
  }

  /**
   * gamma * b + beta: a Linear's bias after its pair, or a LayerNorm's beta (whose gamma takes
   * the scale alone, {@link #layerNormGamma}).
   */
  public static float[] bias(float[] b, float[] scale, float[] shift) {
    if (b.length != scale.length || shift.length != scale.length) {
      throw new IllegalArgumentException("bias " + b.length + ", scale " + scale.length
          + ", shift " + shift.length);
    }
    float[] folded = new float[b.length];
    for (int j = 0; j < b.length; j++) {
      folded[j] = b[j] * scale[j] + shift[j];
    }
    return folded;
  }

  /** gamma * (n g + b) + beta = n (gamma * g) + (gamma * b + beta): the LayerNorm's new g. */
  public static float[] layerNormGamma(float[] g, float[] scale) {
    if (g.length != scale.length) {
      throw new IllegalArgumentException("gamma " + g.length + ", scale " + scale.length);
    }
    float[] folded = new float[g.length];
    for (int j = 0; j < g.length; j++) {
      folded[j] = g[j] * scale[j];
    }
    return folded;
  }

  /**
   * The position embedding [T, D] with {@code shift} added to every row after the class token's:
   * the shift of a bias-free patch embedding, whose output gets the position embedding next.
   */
  public static float[] patchRowsShifted(float[] pos, float[] shift) {
    int d = shift.length;
    if (pos.length % d != 0) {
      throw new IllegalArgumentException("position embedding " + pos.length + ", width " + d);
    }
    float[] folded = pos.clone();
    for (int t = 1; t < pos.length / d; t++) {
      for (int j = 0; j < d; j++) {
        folded[t * d + j] += shift[j];
      }
    }
    return folded;
  }

  /**
   * Folds {@code pair} into the backbone in the session and sets the pair to the identity
   * (scale 1, shift 0), so that the graph with the hooks computes what the one without computes.
   */
  static void foldInto(Session s, Net net, ScaleShift.Pair pair) {
    String site = pair.position().site();
    float[] scale = VariableValues.read(s, pair.scale());
    float[] shift = VariableValues.read(s, pair.shift());
    if (pair.position().layerNorm()) {
      ModelVariable gamma = net.variable(BACKBONE + site + "/gamma");
      ModelVariable beta = net.variable(BACKBONE + site + "/beta");
      VariableValues.assign(s, gamma, layerNormGamma(VariableValues.read(s, gamma), scale));
      VariableValues.assign(s, beta, bias(VariableValues.read(s, beta), scale, shift));
    } else {
      ModelVariable w = net.variable(BACKBONE + site + "/weight");
      VariableValues.assign(s, w, linearWeight(VariableValues.read(s, w), scale,
          (int) w.shape().get(0), (int) w.shape().get(1)));
      if (!net.variables(BACKBONE + site + "/bias").isEmpty()) {
        ModelVariable b = net.variable(BACKBONE + site + "/bias");
        VariableValues.assign(s, b, bias(VariableValues.read(s, b), scale, shift));
      } else if (site.equals(ScaleShiftSites.PATCH_EMBED)) {
        ModelVariable pos = net.variable(POSITION_EMBEDDING);
        VariableValues.assign(s, pos, patchRowsShifted(VariableValues.read(s, pos), shift));
      } else {
        throw new IllegalStateException(site + " has no bias to take its shift");
      }
    }
    float[] ones = new float[scale.length];
    java.util.Arrays.fill(ones, 1f);
    VariableValues.assign(s, pair.scale(), ones);
    VariableValues.assign(s, pair.shift(), new float[shift.length]);
  }
}
