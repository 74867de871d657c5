package tfpeft.model.weights;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Optional;

/**
 * Element types that can be widened or narrowed to float32, named as the safetensors header names
 * them ("F32", "BF16", ...). numpy's .npy descriptors map onto the same set ("f4" is F32, "i8"
 * is I64, "b1" is BOOL).
 *
 * <p>Decoding goes through the bulk views of {@link ByteBuffer} ({@code asFloatBuffer()} and
 * friends) in the buffer's byte order: for F32 in native order that is a plain memory copy, so a
 * large checkpoint reads at disk speed rather than element by element. Integers are converted with
 * Java's rounding to nearest (exact below 2^24), matching numpy's {@code astype(np.float32)}.
 */
public enum ElementType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  /** Elements converted per scratch array, small enough to stay in cache. */
  private static final int SCRATCH = 8192;

  private final int byteSize;

  ElementType(int byteSize) {
    this.byteSize = byteSize;
  }

  public int byteSize() {
    return byteSize;
  }

  /** The type named {@code code} in a safetensors header, if it is one this package reads. */
  public static Optional<ElementType> fromSafetensors(String code) {
    for (ElementType t : values()) {
      if (t.name().equals(code)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** Whether the writers can store floats as this type. */
  public boolean isWritable() {
    return this == F32 || this == F16 || this == BF16;
  }

  /**
   * Converts {@code count} elements starting at {@code src.position()}, in {@code src.order()},
   * into {@code dst[dstOffset...]}, and advances {@code src} past them.
   */
  void decode(ByteBuffer src, float[] dst, int dstOffset, int count) {
    int start = src.position();
    switch (this) {
      case F32 -> src.asFloatBuffer().get(dst, dstOffset, count);
      case F64 -> {
        DoubleBuffer in = src.asDoubleBuffer();
        double[] tmp = new double[Math.min(count, SCRATCH)];
        for (int done = 0; done < count; done += tmp.length) {
          int n = Math.min(tmp.length, count - done);
          in.get(tmp, 0, n);
          for (int i = 0; i < n; i++) {
            dst[dstOffset + done + i] = (float) tmp[i];
          }
        }
      }
      case F16, BF16, I16 -> {
        ShortBuffer in = src.asShortBuffer();
        short[] tmp = new short[Math.min(count, SCRATCH)];
        for (int done = 0; done < count; done += tmp.length) {
          int n = Math.min(tmp.length, count - done);
          in.get(tmp, 0, n);
          if (this == F16) {
            HalfFloats.halfToFloat(tmp, n, dst, dstOffset + done);
          } else if (this == BF16) {
            HalfFloats.bfloat16ToFloat(tmp, n, dst, dstOffset + done);
          } else {
            for (int i = 0; i < n; i++) {
              dst[dstOffset + done + i] = tmp[i];
            }
          }
        }
      }
      case I64 -> {
        LongBuffer in = src.asLongBuffer();
        long[] tmp = new long[Math.min(count, SCRATCH)];
        for (int done = 0; done < count; done += tmp.length) {
          int n = Math.min(tmp.length, count - done);
          in.get(tmp, 0, n);
          for (int i = 0; i < n; i++) {
            dst[dstOffset + done + i] = (float) tmp[i];
          }
        }
      }
      case I32 -> {
        IntBuffer in = src.asIntBuffer();
        int[] tmp = new int[Math.min(count, SCRATCH)];
        for (int done = 0; done < count; done += tmp.length) {
          int n = Math.min(tmp.length, count - done);
          in.get(tmp, 0, n);
          for (int i = 0; i < n; i++) {
            dst[dstOffset + done + i] = (float) tmp[i];
          }
        }
      }
      case I8, U8, BOOL -> {
        for (int i = 0; i < count; i++) {
          byte b = src.get(start + i);
          dst[dstOffset + i] = this == I8 ? b : this == U8 ? (b & 0xff) : (b != 0 ? 1f : 0f);
        }
      }
      default -> throw new AssertionError(this);
    }
    src.position(start + count * byteSize);
  }

  /**
   * Stores {@code count} floats from {@code src[srcOffset...]} at {@code dst.position()}, in
   * {@code dst.order()}, and advances {@code dst}. Only for {@link #isWritable()} types.
   */
  void encode(float[] src, int srcOffset, int count, ByteBuffer dst) {
    int start = dst.position();
    switch (this) {
      case F32 -> dst.asFloatBuffer().put(src, srcOffset, count);
      case F16, BF16 -> {
        ShortBuffer out = dst.asShortBuffer();
        short[] tmp = new short[Math.min(count, SCRATCH)];
        for (int done = 0; done < count; done += tmp.length) {
          int n = Math.min(tmp.length, count - done);
          for (int i = 0; i < n; i++) {
            float v = src[srcOffset + done + i];
            tmp[i] = this == F16 ? HalfFloats.floatToHalf(v) : HalfFloats.floatToBfloat16(v);
          }
          out.put(tmp, 0, n);
        }
      }
      default -> throw new IllegalArgumentException("cannot write elements as " + this
          + "; use F32, F16 or BF16");
    }
    dst.position(start + count * byteSize);
  }
}
