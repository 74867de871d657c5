package tfpeft.model.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;

/**
 * The parsed and checked header of a safetensors file. The layout (from the format's
 * specification, github.com/huggingface/safetensors): an unsigned 64-bit little-endian N, N bytes
 * of UTF-8 JSON, then the data buffer. The JSON maps each tensor name to {"dtype", "shape",
 * "data_offsets": [begin, end]} with offsets relative to the start of the buffer, plus an optional
 * "__metadata__" object of strings.
 *
 * <p>Everything the header claims is checked against the file before any tensor is read, so a
 * truncated download or a lying header is reported as such, with the tensor named, rather than
 * surfacing as garbage weights or an index error.
 */
public final class SafetensorsHeader {
  /** The reference implementation refuses larger headers; so do we, before allocating. */
  static final long MAX_HEADER_BYTES = 100_000_000;
  /**
   * Types the format defines that have no float32 conversion here, with their byte sizes so their
   * offsets can still be checked; 0 for the packed sub-byte types, whose size is not checked.
   */
  private static final Map<String, Integer> UNSUPPORTED_SIZES = Map.of("U16", 2, "U32", 4,
      "U64", 8, "F8_E4M3", 1, "F8_E5M2", 1, "F8_E8M0", 1, "C64", 8, "F6_E2M3", 0, "F6_E3M2", 0,
      "F4", 0);

  /**
   * One tensor's header entry. {@code type} is null for a dtype this package cannot convert; such
   * an entry fails only if it is read.
   */
  public record Entry(String name, String dtype, ElementType type, long[] shape, long begin,
      long end) {
    /** A copy, so the checked header cannot be altered. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    public long elementCount() {
      return NamedTensor.elementCount(shape);
    }
  }

  private final Path file;
  private final List<Entry> entries;
  private final Map<String, String> metadata;
  private final long dataStart;

  private SafetensorsHeader(Path file, List<Entry> entries, Map<String, String> metadata,
      long dataStart) {
    this.file = file;
    this.entries = Collections.unmodifiableList(entries);
    this.metadata = Collections.unmodifiableMap(metadata);
    this.dataStart = dataStart;
  }

  /** Entries in header order. */
  public List<Entry> entries() {
    return entries;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** File offset of the data buffer: 8 + N. */
  public long dataStart() {
    return dataStart;
  }

  public Path file() {
    return file;
  }

  /** Reads and checks the header of {@code file}, open as {@code channel}. */
  static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw bad(file, "the file is " + fileSize + " bytes, too short for the 8-byte header "
          + "length; it is truncated or not a safetensors file");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lengthBytes, 0);
    long headerLength = lengthBytes.getLong(0);
    if (Long.compareUnsigned(headerLength, fileSize - 8) > 0) {
      throw bad(file, "the header length in the first 8 bytes, "
          + Long.toUnsignedString(headerLength) + ", is larger than the rest of the file ("
          + (fileSize - 8) + " bytes); the file is truncated or not a safetensors file");
    }
    if (headerLength > MAX_HEADER_BYTES || headerLength < 2) {
      throw bad(file, "the header length in the first 8 bytes, " + headerLength
          + ", is not plausible (2 to " + MAX_HEADER_BYTES + "); not a safetensors file?");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBytes, 8);
    String json;
    try {
      json = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(headerBytes.flip()).toString();
    } catch (CharacterCodingException e) {
      throw bad(file, "the " + headerLength + "-byte header is not UTF-8 text; the file is "
          + "corrupt or not a safetensors file");
    }
    JsonElement root;
    try {
      root = JsonText.parse(new StringReader(json), false);
    } catch (JsonText.SyntaxError e) {
      String near = e.excerpt(json);
      throw bad(file, "the " + headerLength + "-byte header (from byte 8) is not valid JSON: "
          + e.getMessage() + (near.isEmpty() ? "" : ", at the end of '" + near + "'")
          + "; the file is corrupt or not a safetensors file");
    }
    if (!root.isJsonObject()) {
      throw bad(file, "the header is JSON but not an object of tensors");
    }
    long dataStart = 8 + headerLength;
    return parseEntries(file, root.getAsJsonObject(), dataStart, fileSize - dataStart);
  }

  private static SafetensorsHeader parseEntries(Path file, JsonObject root, long dataStart,
      long bufferSize) {
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : root.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        readMetadata(file, e.getValue(), metadata);
      } else {
        entries.add(parseEntry(file, e.getKey(), e.getValue(), bufferSize));
      }
    }
    checkOverlaps(file, entries);
    return new SafetensorsHeader(file, entries, metadata, dataStart);
  }

  private static void readMetadata(Path file, JsonElement value, Map<String, String> out) {
    if (!value.isJsonObject()) {
      throw bad(file, "\"__metadata__\" must be an object of strings");
    }
    for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
      JsonElement v = m.getValue();
      // the format says strings; other values are kept as their JSON text rather than refused
      out.put(m.getKey(), v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
          ? v.getAsString() : v.toString());
    }
  }

  private static Entry parseEntry(Path file, String name, JsonElement value, long bufferSize) {
    String where = "tensor '" + name + "': ";
    if (name.isEmpty()) {
      throw bad(file, "a tensor has an empty name");
    }
    if (!value.isJsonObject()) {
      throw bad(file, where + "the header entry must be an object with dtype, shape and "
          + "data_offsets");
    }
    JsonObject o = value.getAsJsonObject();
    JsonElement dtypeValue = o.get("dtype");
    if (dtypeValue == null || !dtypeValue.isJsonPrimitive()
        || !dtypeValue.getAsJsonPrimitive().isString()) {
      throw bad(file, where + "\"dtype\" is missing or not a string");
    }
    String dtype = dtypeValue.getAsString();
    ElementType type = ElementType.fromSafetensors(dtype).orElse(null);
    if (type == null && !UNSUPPORTED_SIZES.containsKey(dtype)) {
      throw bad(file, where + "unknown dtype \"" + dtype + "\"; the file is corrupt or from a "
          + "newer safetensors version");
    }
    long[] shape = integers(file, where + "\"shape\"", o.get("shape"), -1);
    long[] offsets = integers(file, where + "\"data_offsets\"", o.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    String span = "data_offsets [" + begin + ", " + end + "]";
    if (end < begin) {
      throw bad(file, where + span + " end before they begin; the header lies about offsets");
    }
    if (end > bufferSize) {
      throw bad(file, where + span + " reach past the end of the " + bufferSize
          + "-byte data buffer; the file is truncated or the header lies about offsets");
    }
    long count;
    try {
      count = NamedTensor.elementCount(shape);
      Math.multiplyExact(count, 8L);
    } catch (ArithmeticException e) {
      throw bad(file, where + "shape " + NamedTensor.formatShape(shape) + " is too large");
    }
    int elementSize = type != null ? type.byteSize() : UNSUPPORTED_SIZES.get(dtype);
    if (elementSize > 0 && count * elementSize != end - begin) {
      throw bad(file, where + "dtype " + dtype + " with shape " + NamedTensor.formatShape(shape)
          + " needs " + count * elementSize + " bytes but " + span + " span " + (end - begin)
          + "; the header lies about offsets");
    }
    return new Entry(name, dtype, type, shape, begin, end);
  }

  /** A JSON array of non-negative integers, of length {@code length} unless it is -1. */
  private static long[] integers(Path file, String what, JsonElement value, int length) {
    String expected = what + " must be an array of " + (length < 0 ? "" : length + " ")
        + "non-negative integers";
    if (value == null || !value.isJsonArray()) {
      throw bad(file, expected);
    }
    JsonArray array = value.getAsJsonArray();
    if (length >= 0 && array.size() != length) {
      throw bad(file, expected + ", got " + array);
    }
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement v = array.get(i);
      try {
        JsonPrimitive p = v.getAsJsonPrimitive();
        out[i] = p.isNumber() ? new BigDecimal(p.getAsString()).longValueExact() : -1;
      } catch (IllegalStateException | ArithmeticException | NumberFormatException e) {
        out[i] = -1;
      }
      if (out[i] < 0) {
        throw bad(file, expected + ", got " + array);
      }
    }
    return out;
  }

  /** No two non-empty tensors may share bytes: each byte belongs to at most one tensor. */
  private static void checkOverlaps(Path file, List<Entry> entries) {
    List<Entry> byBegin = new ArrayList<>();
    for (Entry e : entries) {
      if (e.end() > e.begin()) {
        byBegin.add(e);
      }
    }
    byBegin.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byBegin.size(); i++) {
      Entry prev = byBegin.get(i - 1);
      Entry cur = byBegin.get(i);
      if (cur.begin() < prev.end()) {
        throw bad(file, "tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end()
            + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end()
            + ") overlap in the data buffer; the header lies about offsets");
      }
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer dst, long position)
      throws IOException {
    while (dst.hasRemaining()) {
      if (channel.read(dst, position + dst.position()) < 0) {
        throw new java.io.EOFException();
      }
    }
  }

  static TfpeftException bad(Path file, String what) {
    return TfpeftException.usage(file + ": " + what + "; download or export the file again");
  }
}
