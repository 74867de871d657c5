package tfpeft.peft.mask;

/**
 * Binary masks stored one bit per weight: row-major order, eight weights per byte, the first
 * weight in the most significant bit, the last byte padded with zero bits (the layout of NumPy's
 * {@code packbits} and of the official R-AMT checkpoints). The AMT masks of CLIP ViT-B/16's image
 * encoder (28.9 million weights) take 3.4 MiB this way instead of 110 MiB as float32.
 */
public final class MaskBits {
  private MaskBits() {}

  /** Bytes needed for {@code n} bits. */
  public static int packedLength(long n) {
    long bytes = (n + 7) / 8;
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(n + " bits do not fit one byte array");
    }
    return (int) bytes;
  }

  /** The bits of the binary mask 1[mask > threshold] of a real-valued mask. */
  public static byte[] pack(float[] mask, float threshold) {
    byte[] out = new byte[packedLength(mask.length)];
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] > threshold) {
        out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
      }
    }
    return out;
  }

  /** The bits of a boolean mask. */
  public static byte[] pack(boolean[] keep) {
    byte[] out = new byte[packedLength(keep.length)];
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
      }
    }
    return out;
  }

  /**
   * The {@code n} mask values (1 kept, 0 zeroed) in {@code bits}.
   *
   * @throws IllegalArgumentException if the length is not ceil(n / 8) or a padding bit is set,
   *     which means the bits belong to a tensor of another size
   */
  public static float[] unpack(byte[] bits, int n) {
    if (bits.length != packedLength(n)) {
      throw new IllegalArgumentException(bits.length + " bytes hold " + 8L * bits.length
          + " bits, a mask of " + n + " weights needs " + packedLength(n) + " bytes");
    }
    int tail = n & 7;
    if (tail != 0 && (bits[bits.length - 1] & (0xff >>> tail)) != 0) {
      throw new IllegalArgumentException("padding bits after weight " + n + " are set: the "
          + "bits were packed for a different number of weights");
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (bits[i >>> 3] & (0x80 >>> (i & 7))) != 0 ? 1f : 0f;
    }
    return out;
  }

  /** Number of zero bits among the first {@code n} (the weights the mask removes). */
  public static long zeros(byte[] bits, long n) {
    long ones = 0;
    for (byte b : bits) {
      ones += Integer.bitCount(b & 0xff);
    }
    return n - ones;
  }
}
