package tfpeft.peft.quant;

/**
 * A 1-bit matrix as stored: element i's bit is bit (i mod 8) of byte i / 8, 1 for the positive
 * code; mean and std are float32. Its stored size is ceil(size / 8) + 8 bytes.
 */
public record QuantizedMatrix(int size, byte[] bits, float mean, float std) {
  public long storedBytes() {
    return storedBytes(size);
  }

  public static long storedBytes(long elements) {
    return (elements + 7) / 8 + 2 * Float.BYTES;
  }
}
