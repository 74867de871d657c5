package tfpeft.model.weights;

/**
 * Conversions between float32 and the two 16-bit float formats found in checkpoints.
 *
 * <p>IEEE 754 binary16 ("F16", numpy "f2"): 1 sign bit, 5 exponent bits (bias 15), 10 mantissa
 * bits. Every binary16 value, subnormals included, is exactly representable in float32, so
 * widening is exact. {@code Float.float16ToFloat} would do this but only exists from Java 20.
 *
 * <p>bfloat16 ("BF16"): the upper 16 bits of a float32 (same 8-bit exponent, 7 mantissa bits), so
 * widening is a shift.
 *
 * <p>Narrowing (used when writing F16/BF16 files) rounds to nearest, ties to even, as numpy's
 * {@code astype(np.float16)} and PyTorch's {@code .to(torch.bfloat16)} do; overflow gives
 * infinity. A NaN narrowed to binary16 keeps the upper bits of its payload, as numpy does; one
 * narrowed to bfloat16 becomes the quiet NaN of its sign, as Eigen (TensorFlow, JAX) does.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /**
   * All 65536 binary16 values widened, so bulk decoding is one table load per element. 256 KB,
   * built from {@link #computeHalfToFloat} so the table and the scalar rule cannot disagree.
   */
  private static final float[] HALF_TO_FLOAT = new float[1 << 16];

  static {
    for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
      HALF_TO_FLOAT[h] = computeHalfToFloat(h);
    }
  }

  /** The exact float32 value of the binary16 bits {@code half}. */
  public static float halfToFloat(short half) {
    return HALF_TO_FLOAT[half & 0xffff];
  }

  /** Widens {@code count} binary16 values; the caller supplies bits from the file. */
  static void halfToFloat(short[] src, int count, float[] dst, int dstOffset) {
    for (int i = 0; i < count; i++) {
      dst[dstOffset + i] = HALF_TO_FLOAT[src[i] & 0xffff];
    }
  }

  private static float computeHalfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      // infinity (mantissa 0) or NaN: keep the payload in the top mantissa bits, as numpy does
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent != 0) {
      // normal: rebias the exponent from 15 to 127
      return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
    // zero or subnormal: mantissa * 2^-24, exact in float32 (a normal float32 unless zero)
    float magnitude = mantissa * 0x1p-24f;
    return Float.intBitsToFloat(sign | Float.floatToRawIntBits(magnitude));
  }

  /** The binary16 bits nearest to {@code value} (ties to even). */
  public static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) {
      if (mantissa == 0) {
        return (short) (sign | 0x7c00);
      }
      // a payload that lives only in the dropped low bits must still leave a NaN, not infinity
      int payload = mantissa >>> 13;
      return (short) (sign | 0x7c00 | (payload == 0 ? 1 : payload));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      // below 2^-25 everything rounds to zero (2^-25 itself is a tie that goes to even, zero)
      if (halfExponent < -10) {
        return (short) sign;
      }
      // subnormal result in units of 2^-24; the implicit leading 1 becomes explicit
      int significand = mantissa | 0x800000;
      int shift = 126 - exponent;
      return (short) (sign | roundShift(significand, shift));
    }
    // a carry out of the mantissa correctly bumps the exponent, up to infinity (0x7c00)
    return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
  }

  /** {@code value >> shift} rounded to nearest, ties to even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rest > half || (rest == half && (kept & 1) != 0)) {
      kept++;
    }
    return kept;
  }

  /** The float32 value of the bfloat16 bits {@code bf16}: they are its upper half. */
  public static float bfloat16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  static void bfloat16ToFloat(short[] src, int count, float[] dst, int dstOffset) {
    for (int i = 0; i < count; i++) {
      dst[dstOffset + i] = Float.intBitsToFloat((src[i] & 0xffff) << 16);
    }
  }

  /** The bfloat16 bits nearest to {@code value} (ties to even). */
  public static short floatToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0) {
      return (short) (((bits >>> 16) & 0x8000) | 0x7fc0);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }
}
