package tfpeft.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.mask.MaskBits;
import tfpeft.peft.quant.GaussianQuantizer;
import tfpeft.peft.quant.QuantizedMatrix;

/**
 * One trained variable as an adapter artifact stores it.
 *
 * <ul>
 *   <li>{@link Encoding#FLOAT32}: the values, little-endian float32 (safetensors F32, true shape).
 *   <li>{@link Encoding#BITS1}: a 1-bit adapter matrix: the sign bits of (W - mean) / (std + 1e-5),
 *       element i in bit (i mod 8) of byte i / 8, 1 for the positive code (safetensors U8
 *       [ceil(n / 8)]), and float32 mean and unbiased std (F32 [2] under {@code <name>.mean_std});
 *       the model computes with W_q = +-0.6745 std + mean ({@link GaussianQuantizer}).
 *   <li>{@link Encoding#MASK_BITS}: a binary weight mask 1[M > threshold], row-major, the first
 *       weight in the most significant bit ({@link MaskBits}; safetensors U8 [ceil(n / 8)]).
 * </ul>
 *
 * @param name the variable, e.g. {@code peft/lora/block0/attn/q/lora_a}
 * @param shape the variable's shape (a packed tensor's stored shape is its byte count)
 * @param role adapter, head, mask, prompt or injection
 * @param data float32 bytes, or the packed bits
 * @param mean with {@code std}, a 1-bit matrix's statistics (0 otherwise)
 */
public record ArtifactTensor(String name, long[] shape, Encoding encoding, String role,
    byte[] data, float mean, float std) {

  /** How a tensor's values are stored. */
  public enum Encoding {
    FLOAT32, BITS1, MASK_BITS;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Encoding ofKey(String key) {
      for (Encoding e : values()) {
        if (e.key().equals(key)) {
          return e;
        }
      }
      throw new IllegalArgumentException("unknown encoding '" + key + "'");
    }
  }

  /** The suffix of a 1-bit matrix's [mean, std] tensor in the safetensors file. */
  public static final String MEAN_STD = ".mean_std";

  public static ArtifactTensor float32(String name, long[] shape, String role, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new ArtifactTensor(name, shape, Encoding.FLOAT32, role, b.array(), 0, 0);
  }

  /** A 1-bit adapter matrix from its latent (full-precision) values. */
  public static ArtifactTensor bits1(String name, long[] shape, String role, float[] latent) {
    QuantizedMatrix q = GaussianQuantizer.pack(latent);
    return new ArtifactTensor(name, shape, Encoding.BITS1, role, q.bits(), q.mean(), q.std());
  }

  /** A binary mask from the real-valued mask {@code values}, binarized at {@code threshold}. */
  public static ArtifactTensor mask(String name, long[] shape, float[] values, float threshold) {
    return new ArtifactTensor(name, shape, Encoding.MASK_BITS, "mask",
        MaskBits.pack(values, threshold), 0, 0);
  }

  public long elements() {
    return NamedTensor.elementCount(shape);
  }

  /** Bytes stored: 4 per float32 value; packed bits (plus 8 for a 1-bit matrix's mean and std). */
  public long storedBytes() {
    return encoding == Encoding.BITS1 ? data.length + 2L * Float.BYTES : data.length;
  }

  /** Bytes the encoding needs for this shape; a stored tensor of another length is damaged. */
  public long expectedDataBytes() {
    long n = elements();
    return encoding == Encoding.FLOAT32 ? n * Float.BYTES : MaskBits.packedLength(n);
  }

  /** The values the model computes with: the floats, W_q of a 1-bit matrix, 0/1 of a mask. */
  public float[] effective() {
    return switch (encoding) {
      case FLOAT32 -> floats();
      case BITS1 -> GaussianQuantizer.unpack(quantized());
      case MASK_BITS -> MaskBits.unpack(data, Math.toIntExact(elements()));
    };
  }

  /**
   * The value to give the variable so that the graph computes {@link #effective()}: the floats;
   * for a 1-bit matrix a latent whose quantization is the stored one ({@link #latent}); for a
   * mask, {@code init} where the bit is 1 and init mirrored around the threshold
   * (2 threshold - init, 0 for R-AMT's defaults) where it is 0.
   */
  public float[] variableValues(StoredTensor how) {
    return switch (encoding) {
      case FLOAT32 -> floats();
      case BITS1 -> latent(quantized());
      case MASK_BITS -> {
        float on = how.maskOn();
        float off = 2 * how.maskThreshold() - on;
        float[] bits = effective();
        for (int i = 0; i < bits.length; i++) {
          bits[i] = bits[i] > 0 ? on : off;
        }
        yield bits;
      }
    };
  }

  public QuantizedMatrix quantized() {
    return new QuantizedMatrix(Math.toIntExact(elements()), data, mean, std);
  }

  private float[] floats() {
    float[] v = new float[Math.toIntExact(elements())];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /**
   * A two-valued matrix with the stored signs whose mean and unbiased std are the stored ones:
   * with k of n elements positive, mean + a where the bit is 1 and mean - b where it is 0, with
   * k a = (n - k) b (the mean) and k a^2 + (n - k) b^2 = (n - 1) std^2 (the variance). The
   * quantizer maps it back to exactly the stored signs, mean and std, so a 1-bit adapter restored
   * from its packed form computes, and trains on, as the one that was packed.
   */
  public static float[] latent(QuantizedMatrix q) {
    int n = q.size();
    long k = 0;
    for (int i = 0; i < n; i++) {
      k += q.bits()[i >> 3] >> (i & 7) & 1;
    }
    float[] out = new float[n];
    if (k == 0 || k == n || q.std() == 0 || n < 2) {
      java.util.Arrays.fill(out, q.mean());
      return out;
    }
    double a = q.std() * Math.sqrt((double) (n - 1) * (n - k) / ((double) k * n));
    double b = q.std() * Math.sqrt((double) (n - 1) * k / ((double) (n - k) * n));
    for (int i = 0; i < n; i++) {
      out[i] = (q.bits()[i >> 3] >> (i & 7) & 1) == 1 ? (float) (q.mean() + a)
          : (float) (q.mean() - b);
    }
    return out;
  }
}
