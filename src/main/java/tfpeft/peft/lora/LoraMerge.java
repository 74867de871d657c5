package tfpeft.peft.lora;

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
}
