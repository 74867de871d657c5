package tfpeft.data.image;

/**
 * Colour conversions with the integer arithmetic of the libraries Pillow is built on, so decoded
 * pixels equal Pillow's: libjpeg's jdcolor.c for YCbCr and YCCK, Pillow's Convert.c for CMYK.
 */
final class ColorConversions {
  private static final int SCALE_BITS = 16;
  private static final int ONE_HALF = 1 << (SCALE_BITS - 1);

  // libjpeg's build_ycc_rgb_table: Cr->R and Cb->B are rounded per entry; the two G terms are
  // summed at full precision (Cb->G already holds the rounding half) and shifted per pixel.
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private ColorConversions() {}

  /** libjpeg's {@code FIX(x)}. */
  private static int fix(double x) {
    return (int) (x * (1 << SCALE_BITS) + 0.5);
  }

  static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  static int yccRed(int y, int cr) {
    return clamp(y + CR_R[cr]);
  }

  static int yccGreen(int y, int cb, int cr) {
    return clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
  }

  static int yccBlue(int y, int cb) {
    return clamp(y + CB_B[cb]);
  }

  /**
   * One RGB channel from a CMYK ink amount and black, as Pillow's {@code cmyk2rgb}:
   * {@code nk - MULDIV255(ink, nk)} with {@code nk = 255 - black}, which equals
   * {@code round((255 - ink) * (255 - black) / 255)}.
   */
  static int cmykToRgb(int ink, int black) {
    int nk = 255 - black;
    int t = ink * nk + 128;
    return clamp(nk - (((t >> 8) + t) >> 8));
  }

  /**
   * Maps {@code bits}-bit samples to 8 bits: fewer than 8 bits scale by {@code v * 255 / max}
   * truncated (Pillow's unpackers; exact for 1, 2 and 4 bits), more than 8 bits by
   * {@code round(v * 255 / max)}, i.e. {@code round(v / 257)} for 16 bits.
   */
  static byte[] scaleTable(int bits) {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("sample size must be 1..16 bits, got " + bits);
    }
    int max = (1 << bits) - 1;
    byte[] table = new byte[max + 1];
    for (int v = 0; v <= max; v++) {
      long scaled = bits < 8 ? (long) v * 255 / max : ((long) v * 255 + max / 2) / max;
      table[v] = (byte) scaled;
    }
    return table;
  }
}
