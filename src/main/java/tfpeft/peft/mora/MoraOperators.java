package tfpeft.peft.mora;

import tfpeft.config.proto.MoraOperator;

/**
 * MoRA's non-parameterized operators as the official code (kongds/MoRA, LoraLayer._apply_mora)
 * computes them, written as matrices so that the update is one product with M. The input x [in]
 * is padded by wrapping to P = ceil(in / r) r values (x_p[i] = x[i mod in]) and cut into
 * ceil(in / r) chunks of r.
 *
 * <p>ROTATION (mora_type 6, Eq. 9): chunk c becomes x_c cos(c theta) + rot(x_c) sin(c theta),
 * rot(v) = [-v[r/2:], v[:r/2]], theta_k = 10000^(-2 (k mod r/2) / r) (RoPE's angles); each
 * rotated chunk is multiplied by M and the outputs are laid side by side, cut to out (or repeated
 * when out > P). {@link #rotation} is the [in, P] matrix taking x to the rotated chunks.
 *
 * <p>SHARING (mora_type 1, Eq. 6): the chunks are summed, multiplied by M, and the r outputs
 * repeated to out. {@link #sharing} is the [in, r] matrix taking x to the sum.
 */
public final class MoraOperators {
  private MoraOperators() {}

  /**
   * r_hat for a LoRA rank {@code rank} on an [in, out] Linear: int(sqrt((in + out) rank) + 0.5),
   * rounded down to even for ROTATION (RoPE pairs halves), as the official code.
   */
  public static int rHat(long in, long out, int rank, MoraOperator operator) {
    int r = (int) (Math.sqrt((double) (in + out) * rank) + 0.5);
    return operator == MoraOperator.ROTATION ? r / 2 * 2 : r;
  }

  /** The number of chunks, ceil(in / r). */
  public static int chunks(int in, int r) {
    return (in + r - 1) / r;
  }

  /** The compression of ROTATION as an [in, chunks * r] matrix, row-major. */
  public static float[] rotation(int in, int r) {
    int chunks = chunks(in, r);
    int width = chunks * r;
    double[] k = new double[in * width];
    int half = r / 2;
    for (int c = 0; c < chunks; c++) {
      for (int j = 0; j < r; j++) {
        double angle = c / Math.pow(10000.0, 2.0 * (j % half) / r);
        int p = c * r + j;
        k[(p % in) * width + p] += Math.cos(angle);
        // rot(x_c)[j] = -x_c[j + r/2] for j < r/2, x_c[j - r/2] after
        int partner = j < half ? p + half : p - half;
        k[(partner % in) * width + p] += (j < half ? -1 : 1) * Math.sin(angle);
      }
    }
    return toFloat(k);
  }

  /** The compression of SHARING as an [in, r] matrix: the wrapped chunks' sum. */
  public static float[] sharing(int in, int r) {
    double[] k = new double[in * r];
    for (int p = 0; p < chunks(in, r) * r; p++) {
      k[(p % in) * r + p % r] += 1;
    }
    return toFloat(k);
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
