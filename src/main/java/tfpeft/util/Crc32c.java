package tfpeft.util;

import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) and the masked form TensorFlow stores in TFRecord files, checkpoint
 * bundles and table blocks: a CRC of data that itself holds CRCs is weak, so the stored value is
 * rotated right by 15 bits and offset by a constant.
 */
public final class Crc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private Crc32c() {}

  public static int of(byte[] data, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(data, offset, length);
    return (int) c.getValue();
  }

  public static int of(byte[] data) {
    return of(data, 0, data.length);
  }

  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  public static int unmask(int masked) {
    int rot = masked - MASK_DELTA;
    return (rot >>> 17) | (rot << 15);
  }

  /** The masked CRC-32C of {@code data}. */
  public static int masked(byte[] data, int offset, int length) {
    return mask(of(data, offset, length));
  }

  public static int masked(byte[] data) {
    return mask(of(data));
  }
}
