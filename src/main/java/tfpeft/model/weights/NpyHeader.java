package tfpeft.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;

/**
 * The header of a .npy array (numpy's format, described in {@code numpy.lib.format}): the magic
 * "\x93NUMPY", a major and minor version byte, the header length (2 bytes little-endian in version
 * 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal with 'descr' (dtype such as '{@code <f4}'),
 * 'fortran_order' and 'shape', padded with spaces and ending in a newline. The array data follows
 * directly. Versions 1.0 and 2.0 encode the dict as latin-1, 3.0 as UTF-8.
 */
public final class NpyHeader {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy aligns the data start to 64 bytes (since 1.14; 16 before). */
  static final int ALIGNMENT = 64;

  private final String descr;
  private final ElementType type;
  private final ByteOrder byteOrder;
  private final boolean fortranOrder;
  private final long[] shape;
  private final int majorVersion;
  private long headerBytes;

  private NpyHeader(String descr, ElementType type, ByteOrder byteOrder, boolean fortranOrder,
      long[] shape, int majorVersion) {
    this.descr = descr;
    this.type = type;
    this.byteOrder = byteOrder;
    this.fortranOrder = fortranOrder;
    this.shape = shape;
    this.majorVersion = majorVersion;
  }

  /** The numpy dtype string as written, e.g. {@code "<f4"}. */
  public String descr() {
    return descr;
  }

  public ElementType type() {
    return type;
  }

  public ByteOrder byteOrder() {
    return byteOrder;
  }

  /** Whether the data is stored column-major; the reader transposes it to row-major. */
  public boolean fortranOrder() {
    return fortranOrder;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long elementCount() {
    return NamedTensor.elementCount(shape);
  }

  public int majorVersion() {
    return majorVersion;
  }

  /** Bytes from the file's start to the first data byte. */
  public long headerBytes() {
    return headerBytes;
  }

  /** Bytes of the array data the header promises. */
  public long dataBytes() {
    return elementCount() * type.byteSize();
  }

  /**
   * Fails unless the array the header promises fits in the {@code available} bytes that follow
   * it (the rest of the file, or of the zip entry); checked before anything is allocated, so a
   * header claiming billions of elements costs nothing.
   */
  void checkFits(long available, String where) {
    if (available >= 0 && dataBytes() > available) {
      throw bad(where, "truncated: the header ('" + descr + "', shape "
          + NamedTensor.formatShape(shape) + ") promises " + dataBytes() + " bytes of data but"
          + " only " + available + " are there; download or export it again");
    }
  }

  /**
   * Reads a header from {@code in}, leaving the stream at the first data byte.
   *
   * @param where the file, or the file and zip entry, for messages
   */
  static NpyHeader read(InputStream in, String where) throws IOException {
    byte[] start = in.readNBytes(8);
    for (int i = 0; i < MAGIC.length; i++) {
      if (start.length < MAGIC.length || start[i] != MAGIC[i]) {
        throw bad(where, "does not start with the .npy magic \"\\x93NUMPY\"; not a numpy array");
      }
    }
    if (start.length < 8) {
      throw bad(where, "the .npy header is truncated");
    }
    int major = start[6] & 0xff;
    int minor = start[7] & 0xff;
    if (major < 1 || major > 3) {
      throw bad(where, ".npy format version " + major + "." + minor + " is not supported "
          + "(1.0, 2.0 and 3.0 are)");
    }
    byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
    if (lengthBytes.length < (major == 1 ? 2 : 4)) {
      throw bad(where, "the .npy header is truncated");
    }
    long length = 0;
    for (int i = lengthBytes.length - 1; i >= 0; i--) {
      length = (length << 8) | (lengthBytes[i] & 0xff);
    }
    if (length > 1 << 24) {
      throw bad(where, "the .npy header claims " + length + " bytes; the file is corrupt");
    }
    byte[] dictBytes = in.readNBytes((int) length);
    if (dictBytes.length < length) {
      throw bad(where, "the .npy header is truncated (" + dictBytes.length + " of " + length
          + " bytes)");
    }
    String dict = new String(dictBytes,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader h = parseDict(dict, major, where);
    h.headerBytes = start.length + lengthBytes.length + length;
    return h;
  }

  private static NpyHeader parseDict(String dict, int major, String where) {
    Object parsed;
    try {
      parsed = PythonLiteral.parse(dict);
    } catch (PythonLiteral.SyntaxError e) {
      throw bad(where, "the .npy header is not a valid dictionary (" + e.getMessage() + " of "
          + quote(dict) + ")");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw bad(where, "the .npy header is not a dictionary: " + quote(dict));
    }
    Object descr = map.get("descr");
    Object fortran = map.get("fortran_order");
    Object shapeValue = map.get("shape");
    if (!(fortran instanceof Boolean) || !(shapeValue instanceof List<?> dims)) {
      throw bad(where, "the .npy header needs 'descr', 'fortran_order' (True or False) and "
          + "'shape' (a tuple of integers), got " + quote(dict));
    }
    if (!(descr instanceof String d)) {
      throw bad(where, "dtype " + descr + " is a structured dtype, which is not supported; "
          + "save a plain float array");
    }
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long v) || v < 0) {
        throw bad(where, "the .npy shape " + shapeValue + " is not a tuple of non-negative "
            + "integers");
      }
      shape[i] = v;
    }
    ElementType type = elementType(d, where);
    try {
      Math.multiplyExact(NamedTensor.elementCount(shape), (long) type.byteSize());
    } catch (ArithmeticException e) {
      throw bad(where, "the .npy shape " + shapeValue + " is too large");
    }
    ByteOrder order = d.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    return new NpyHeader(d, type, order, (Boolean) fortran, shape, major);
  }

  /** Maps a numpy dtype string: byte order ('<', '>', '|', '='), kind letter, byte size. */
  private static ElementType elementType(String descr, String where) {
    String code = descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0
        ? descr : descr.substring(1);
    ElementType type = switch (code) {
      case "f2", "e" -> ElementType.F16;
      case "f4", "f" -> ElementType.F32;
      case "f8", "d" -> ElementType.F64;
      case "i1", "b" -> ElementType.I8;
      case "i2", "h" -> ElementType.I16;
      case "i4", "i" -> ElementType.I32;
      case "i8", "q" -> ElementType.I64;
      case "u1", "B" -> ElementType.U8;
      case "b1", "?" -> ElementType.BOOL;
      default -> null;
    };
    if (type == null) {
      String hint = code.equals("V2") ? " (2-byte void: perhaps bfloat16 from ml_dtypes)" : "";
      throw bad(where, "dtype '" + descr + "'" + hint + " is not supported (float16/32/64, "
          + "int8/16/32/64, uint8 and bool are); save the array as float32");
    }
    return type;
  }

  /** A version 1.0 header for a little-endian float32 C-order array of {@code shape}. */
  static byte[] float32Header(long[] shape) {
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(i > 0 ? ", " : "").append(shape[i]);
    }
    // a one-element tuple needs its trailing comma in Python syntax
    dims.append(shape.length == 1 ? ",)" : ")");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
    String text = dict + " ".repeat(padding) + "\n";
    byte[] out = new byte[MAGIC.length + 4 + text.length()];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1;
    out[7] = 0;
    out[8] = (byte) text.length();
    out[9] = (byte) (text.length() >>> 8);
    byte[] textBytes = text.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(textBytes, 0, out, 10, textBytes.length);
    return out;
  }

  private static String quote(String dict) {
    String trimmed = dict.strip();
    return "\"" + (trimmed.length() > 200 ? trimmed.substring(0, 200) + "..." : trimmed) + "\"";
  }

  static TfpeftException bad(String where, String what) {
    return TfpeftException.usage(where + ": " + what);
  }
}
