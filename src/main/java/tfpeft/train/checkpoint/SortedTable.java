package tfpeft.train.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tfpeft.util.Crc32c;

/**
 * Writes the immutable sorted table (LevelDB's format, as TensorFlow's {@code table_builder}
 * writes it) that holds a checkpoint's index: data blocks of prefix-compressed key/value entries with restart
 * points, an index block mapping each block's last key to its position, an empty meta-index block,
 * and a 48-byte footer ending in a magic number. Every block is followed by a type byte (0: not
 * compressed) and the masked CRC-32C of both. Keys are compared as unsigned bytes.
 */
final class SortedTable {
  static final long MAGIC = 0xdb4775248b80fb57L;
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
