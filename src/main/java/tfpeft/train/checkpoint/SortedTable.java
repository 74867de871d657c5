package tfpeft.train.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.util.Crc32c;

/**
 * The immutable sorted table (LevelDB's format, as TensorFlow's {@code table_builder} writes it)
 * that holds a checkpoint's index: data blocks of prefix-compressed key/value entries with restart
 * points, an index block mapping each block's last key to its position, an empty meta-index block,
 * and a 48-byte footer ending in a magic number. Every block is followed by a type byte (0: not
 * compressed) and the masked CRC-32C of both. Keys are compared as unsigned bytes.
 */
final class SortedTable {
  static final long MAGIC = 0xdb4775248b80fb57L;
  static final int FOOTER_LENGTH = 48;
  private static final int BLOCK_SIZE = 256 * 1024;
  private static final int RESTART_INTERVAL = 16;

  private SortedTable() {}

  /** Writes {@code entries} (keys strictly increasing) as a table to {@code out}. */
  static void write(OutputStream out, List<Map.Entry<byte[], byte[]>> entries) throws IOException {
    Writer w = new Writer(out);
    byte[] previous = null;
    for (Map.Entry<byte[], byte[]> e : entries) {
      if (previous != null && Arrays.compareUnsigned(previous, e.getKey()) >= 0) {
        throw new IllegalArgumentException("table keys must increase: '"
            + new String(previous, java.nio.charset.StandardCharsets.UTF_8) + "' then '"
            + new String(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "'");
      }
      w.add(e.getKey(), e.getValue());
      previous = e.getKey();
    }
    w.finish();
  }

  /** Every entry of the table in {@code file}, in key order. */
  static Map<String, byte[]> read(byte[] file, String name) {
    if (file.length < FOOTER_LENGTH) {
      throw new CheckpointFormatException(name + ": too short for a table (" + file.length
          + " bytes)");
    }
    ByteBuffer footer = ByteBuffer.wrap(file, file.length - FOOTER_LENGTH, FOOTER_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN);
    if (footer.getLong(file.length - 8) != MAGIC) {
      throw new CheckpointFormatException(name + ": not a table (bad magic number)");
    }
    Cursor c = new Cursor(file, file.length - FOOTER_LENGTH, name);
    c.varint(); // meta-index block offset and size: empty in TensorFlow's tables
    c.varint();
    long indexOffset = c.varint();
    long indexSize = c.varint();
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (byte[] handle : block(file, indexOffset, indexSize, name).values()) {
      Cursor h = new Cursor(handle, 0, name);
      long offset = h.varint();
      long size = h.varint();
      for (Map.Entry<String, byte[]> e : block(file, offset, size, name).entrySet()) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** The entries of the block at {@code offset} after checking its trailer. */
  private static Map<String, byte[]> block(byte[] file, long offset, long size, String name) {
    if (offset < 0 || size < 4 || offset + size + 5 > file.length) {
      throw new CheckpointFormatException(name + ": block at " + offset + " (" + size
          + " bytes) lies outside the file");
    }
    int start = (int) offset;
    int len = (int) size;
    if (file[start + len] != 0) {
      throw new CheckpointFormatException(name + ": compressed blocks are not supported");
    }
    int stored = ByteBuffer.wrap(file, start + len + 1, 4).order(ByteOrder.LITTLE_ENDIAN)
        .getInt();
    if (Crc32c.unmask(stored) != Crc32c.of(file, start, len + 1)) {
      throw new CheckpointFormatException(name + ": block at " + offset
          + " fails its CRC check (the file is damaged)");
    }
    ByteBuffer b = ByteBuffer.wrap(file, start, len).order(ByteOrder.LITTLE_ENDIAN);
    int restarts = b.getInt(start + len - 4);
    int end = start + len - 4 - 4 * restarts;
    Map<String, byte[]> out = new LinkedHashMap<>();
    Cursor c = new Cursor(file, start, name);
    byte[] key = new byte[0];
    while (c.pos < end) {
      int shared = (int) c.varint();
      int unshared = (int) c.varint();
      int valueLength = (int) c.varint();
      if (shared > key.length || c.pos + unshared + valueLength > end) {
        throw new CheckpointFormatException(name + ": malformed entry in block at " + offset);
      }
      byte[] next = Arrays.copyOf(key, shared + unshared);
      System.arraycopy(file, c.pos, next, shared, unshared);
      c.pos += unshared;
      key = next;
      out.put(new String(key, java.nio.charset.StandardCharsets.UTF_8),
          Arrays.copyOfRange(file, c.pos, c.pos + valueLength));
      c.pos += valueLength;
    }
    return out;
  }

  private static final class Cursor {
    final byte[] data;
    final String name;
    int pos;

    Cursor(byte[] data, int pos, String name) {
      this.data = data;
      this.pos = pos;
      this.name = name;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= data.length) {
          throw new CheckpointFormatException(name + ": truncated varint");
        }
        byte b = data[pos++];
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new CheckpointFormatException(name + ": malformed varint");
    }
  }

  /** Builds blocks in memory and writes them out with their trailers. */
  private static final class Writer {
    private final OutputStream out;
    private final Block data = new Block(RESTART_INTERVAL);
    private final Block index = new Block(1);
    private long offset;
    private byte[] lastKey;
    private byte[] pendingHandle;

    Writer(OutputStream out) {
      this.out = out;
    }

    void add(byte[] key, byte[] value) throws IOException {
      if (pendingHandle != null) {
        index.add(lastKey, pendingHandle);
        pendingHandle = null;
      }
      data.add(key, value);
      lastKey = key;
      if (data.sizeEstimate() >= BLOCK_SIZE) {
        flush();
      }
    }

    private void flush() throws IOException {
      if (data.isEmpty()) {
        return;
      }
      pendingHandle = writeBlock(data);
    }

    void finish() throws IOException {
      flush();
      byte[] metaIndex = writeBlock(new Block(RESTART_INTERVAL));
      if (pendingHandle != null) {
        index.add(lastKey, pendingHandle);
      }
      byte[] indexHandle = writeBlock(index);
      ByteArrayOutputStream footer = new ByteArrayOutputStream();
      footer.write(metaIndex);
      footer.write(indexHandle);
      while (footer.size() < 40) {
        footer.write(0);
      }
      ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(MAGIC);
      footer.write(magic.array());
      out.write(footer.toByteArray());
      offset += footer.size();
    }

    /** Writes the block and its trailer; returns its handle (offset, size as varints). */
    private byte[] writeBlock(Block b) throws IOException {
      byte[] contents = b.finish();
      byte[] withType = Arrays.copyOf(contents, contents.length + 1);
      int crc = Crc32c.masked(withType);
      out.write(withType);
      out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
      ByteArrayOutputStream handle = new ByteArrayOutputStream();
      putVarint(handle, offset);
      putVarint(handle, contents.length);
      offset += contents.length + 5;
      b.reset();
      return handle.toByteArray();
    }
  }

  /** One block: entries sharing key prefixes with their predecessor, restarting every n. */
  private static final class Block {
    private final int interval;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final List<Integer> restarts = new ArrayList<>();
    private byte[] last = new byte[0];
    private int counter;

    Block(int interval) {
      this.interval = interval;
      reset();
    }

    void reset() {
      buf.reset();
      restarts.clear();
      restarts.add(0);
      last = new byte[0];
      counter = 0;
    }

    boolean isEmpty() {
      return buf.size() == 0;
    }

    int sizeEstimate() {
      return buf.size() + 4 * restarts.size() + 4;
    }

    void add(byte[] key, byte[] value) {
      int shared = 0;
      if (counter < interval) {
        int max = Math.min(last.length, key.length);
        while (shared < max && last[shared] == key[shared]) {
          shared++;
        }
      } else {
        restarts.add(buf.size());
        counter = 0;
      }
      putVarint(buf, shared);
      putVarint(buf, key.length - shared);
      putVarint(buf, value.length);
      buf.write(key, shared, key.length - shared);
      buf.write(value, 0, value.length);
      last = key;
      counter++;
    }

    byte[] finish() {
      ByteBuffer tail = ByteBuffer.allocate(4 * restarts.size() + 4)
          .order(ByteOrder.LITTLE_ENDIAN);
      restarts.forEach(tail::putInt);
      tail.putInt(restarts.size());
      buf.write(tail.array(), 0, tail.capacity());
      return buf.toByteArray();
    }
  }

  static void putVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
