package tfpeft.peft.lora;

import org.tensorflow.Session;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.Adapter;
import tfpeft.peft.quant.GaussianQuantizer;

/**
 * Folds a LoRA path into its Linear: x W + s x A B = x (W + s A B), so an exported model computes
 * the same function with no extra path. Weights are row-major with W [in, out], A [in, r],
 * B [r, out] (at 1 bit, A and B are the dequantized matrices).
 */
public final class LoraMerge {
  private LoraMerge() {}

  public static float[] merged(float[] w, float[] a, float[] b, int in, int rank, int out,
      float scale) {
    if (w.length != in * out || a.length != in * rank || b.length != rank * out) {
      throw new IllegalArgumentException("shapes: W " + w.length + ", A " + a.length + ", B "
          + b.length + " for in " + in + ", rank " + rank + ", out " + out);
    }
    float[] m = w.clone();
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        double s = 0;
        for (int k = 0; k < rank; k++) {
          s += (double) a[i * rank + k] * b[k * out + j];
        }
        m[i * out + j] += (float) (scale * s);
      }
    }
    return m;
  }

  /**
   * Adds the path of {@code adapter} to the weight of Linear site {@code site} in the session
   * (at 1 bit, the matrices as stored: dequantized from their packed form).
   */
  public static void mergeInto(Session s, Net net, String site, Adapter adapter, float scale,
      int bits) {
    ModelVariable w = net.variable("backbone/" + site + "/weight");
    float[] a = VariableValues.read(s, adapter.down());
    float[] b = VariableValues.read(s, adapter.up());
    if (bits == 1) {
      a = GaussianQuantizer.unpack(GaussianQuantizer.pack(a));
      b = GaussianQuantizer.unpack(GaussianQuantizer.pack(b));
    }
    VariableValues.assign(s, w, merged(VariableValues.read(s, w), a, b, (int) adapter.in(),
        (int) adapter.rank(), (int) adapter.out(), scale));
  }

  /** Sets B to zero, so that a merged path adds nothing (at 1 bit too: a zero matrix stays 0). */
  public static void silence(Session s, Adapter adapter) {
    VariableValues.assign(s, adapter.up(), new float[(int) adapter.up().size()]);
  }
}
