package tfpeft.peft;

import java.util.List;
import tfpeft.peft.quant.QuantizedMatrix;

/**
 * Stored size as Pear's Table I counts it: adapter weights only (no head, no plan), float32 at 4
 * bytes per weight, 1-bit matrices as packed bits plus float32 mean and std; MB = 2^20 bytes.
 */
public final class AdapterStorage {
  public static final double MB = 1 << 20;

  private AdapterStorage() {}

  public static long matrixBytes(long elements, int bits) {
    return bits == 0 ? elements * Float.BYTES : QuantizedMatrix.storedBytes(elements);
  }

  /** Bytes of one adapter: its down [in, r] and up [r, out] matrices. */
  public static long adapterBytes(long in, long rank, long out, int bits) {
    return matrixBytes(in * rank, bits) + matrixBytes(rank * out, bits);
  }

  public static long bytes(List<Adapter> adapters, int bits) {
    long total = 0;
    for (Adapter a : adapters) {
      total += adapterBytes(a.in(), a.rank(), a.out(), bits);
    }
    return total;
  }

  public static double megabytes(long bytes) {
    return bytes / MB;
  }

  /** {@code value} to {@code digits} significant figures, for printing. */
  public static String significant(double value, int digits) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(digits,
        java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString();
  }
}
