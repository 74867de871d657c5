package tfpeft.model.weights;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;
import tfpeft.TfpeftException;
import tfpeft.util.Crc32c;

/**
 * Reads TensorFlow's V2 checkpoints ({@code prefix.index} + {@code prefix.data-NNNNN-of-NNNNN}),
 * the format {@code Session.save} writes, without a session. The index is a LevelDB-format sorted
 * table: key "" holds the {@link BundleHeaderProto}, every other key a tensor name whose value is a
 * {@link BundleEntryProto} giving the dtype, shape, shard, offset, size and CRC32C of its bytes in
 * the data shard. Every block's checksum and every tensor's checksum is verified, so a truncated or
 * altered checkpoint is reported rather than read.
 */
public final class TensorBundleReader {
  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER = 48;
  /** Largest .index read into memory. */
  static final long MAX_INDEX_BYTES = 64L << 20;

  /** One tensor of the index. */
  public record Entry(String name, DataType dtype, long[] shape, int shard, long offset,
      long size, int maskedCrc) {
    public long elements() {
      return NamedTensor.elementCount(shape);
    }
  }

  /** The whole index: the header and the entries in name order. */
  public record Index(Path indexFile, BundleHeaderProto header, List<Entry> entries) {}

  private TensorBundleReader() {}

  /** The checkpoint prefix of {@code path}: the prefix itself, or its .index or a data shard. */
  public static Path prefix(Path path) {
    String s = path.toString();
    if (s.endsWith(".index")) {
      return Path.of(s.substring(0, s.length() - ".index".length()));
    }
    int data = s.lastIndexOf(".data-");
    return data > 0 ? Path.of(s.substring(0, data)) : path;
  }

  /** Whether {@code path} names a checkpoint (its prefix has an .index file). */
  public static boolean isCheckpoint(Path path) {
    return Files.isRegularFile(indexFile(prefix(path)));
  }

  static Path indexFile(Path prefix) {
    return Path.of(prefix + ".index");
  }

  /** The data file of shard {@code shard}: {@code <prefix>.data-0000s-of-0000n}. */
  public static Path shardFile(Path prefix, int shard, int numShards) {
    return Path.of(String.format("%s.data-%05d-of-%05d", prefix, shard, numShards));
  }

  /** Reads and checks the index of the checkpoint at {@code path}. */
  public static Index readIndex(Path path) {
    Path file = indexFile(prefix(path));
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_INDEX_BYTES) {
        // an index holds names, shapes and offsets: kilobytes even for the largest models
        throw corrupt(file, Files.size(file) + " bytes, more than an index of tensors can be ("
            + MAX_INDEX_BYTES + "); not a checkpoint index");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(file + ": not found; name a checkpoint prefix (the path "
          + "without .index) or its .index file");
    } catch (IOException e) {
      throw TfpeftException.failure("cannot read " + file + ": " + e.getMessage(), e);
    }
    Table table = new Table(file, bytes);
    List<Entry> entries = new ArrayList<>();
    BundleHeaderProto header = null;
    for (byte[][] kv : table.entries()) {
      String key = new String(kv[0], java.nio.charset.StandardCharsets.UTF_8);
      try {
        if (key.isEmpty()) {
          header = BundleHeaderProto.parseFrom(kv[1]);
          continue;
        }
        BundleEntryProto e = BundleEntryProto.parseFrom(kv[1]);
        if (e.getSlicesCount() > 0) {
          throw corrupt(file, "tensor '" + key + "' is stored in slices, which tfpeft does not "
              + "read; save it unpartitioned");
        }
        entries.add(new Entry(key, e.getDtype(), dims(e.getShape()), e.getShardId(),
            e.getOffset(), e.getSize(), e.getCrc32C()));
      } catch (InvalidProtocolBufferException ex) {
        throw corrupt(file, "the entry for '" + key + "' does not parse: " + ex.getMessage());
      }
    }
    if (header == null) {
      throw corrupt(file, "no bundle header (key \"\"); not a TensorFlow V2 checkpoint index");
    }
    if (header.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
      throw corrupt(file, "big-endian checkpoints are not supported");
    }
    return new Index(file, header, List.copyOf(entries));
  }

  /** The float tensors of the checkpoint that {@code include} accepts, values checked. */
  public static TensorFile read(Path path, Predicate<String> include) {
    Index index = readIndex(path);
    Path prefix = prefix(path);
    int shards = index.header().getNumShards();
    List<NamedTensor> out = new ArrayList<>();
    FileChannel[] channels = new FileChannel[shards];
    try {
      for (Entry e : index.entries()) {
        if (!include.test(e.name())) {
          continue;
        }
        if (e.shard() < 0 || e.shard() >= shards) {
          throw corrupt(index.indexFile(), "tensor '" + e.name() + "' names shard " + e.shard()
              + " of " + shards);
        }
        if (channels[e.shard()] == null) {
          Path shard = shardFile(prefix, e.shard(), shards);
          try {
            channels[e.shard()] = FileChannel.open(shard, StandardOpenOption.READ);
          } catch (NoSuchFileException ex) {
            throw TfpeftException.usage(shard + ": missing; the checkpoint is incomplete");
          }
        }
        out.add(new NamedTensor(e.name(), e.shape(), values(channels[e.shard()], e, prefix)));
      }
    } catch (IOException ex) {
      throw TfpeftException.failure("cannot read checkpoint " + prefix + ": " + ex.getMessage(),
          ex);
    } finally {
      for (FileChannel c : channels) {
        if (c != null) {
          try {
            c.close();
          } catch (IOException ignored) {
            // nothing was written
          }
        }
      }
    }
    return new TensorFile(index.indexFile(), out);
  }

  /**
   * Checks every tensor of the checkpoint at {@code path} against its index: its shard is
   * there, its bytes lie inside it, and their CRC32C is the recorded one. Reads the data a chunk
   * at a time (memory stays at one chunk whatever the checkpoint's size); returns the number of
   * tensors checked, or throws a usage error naming the first damaged tensor or missing shard.
   */
  public static int verify(Path path) {
    Index index = readIndex(path);
    Path prefix = prefix(path);
    int shards = index.header().getNumShards();
    ByteBuffer chunk = ByteBuffer.allocate(ChunkReader.CHUNK_BYTES);
    FileChannel[] channels = new FileChannel[shards];
    try {
      for (Entry e : index.entries()) {
        if (e.shard() < 0 || e.shard() >= shards) {
          throw corrupt(index.indexFile(), "tensor '" + e.name() + "' names shard " + e.shard()
              + " of " + shards);
        }
        Path shard = shardFile(prefix, e.shard(), shards);
        if (channels[e.shard()] == null) {
          try {
            channels[e.shard()] = FileChannel.open(shard, StandardOpenOption.READ);
          } catch (NoSuchFileException ex) {
            throw TfpeftException.usage(shard + ": missing; the checkpoint is incomplete");
          }
        }
        FileChannel ch = channels[e.shard()];
        if (e.offset() < 0 || e.size() < 0 || e.offset() + e.size() > ch.size()) {
          throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' claims " + e.size()
              + " bytes at offset " + e.offset() + " of " + shard.getFileName() + ", which has "
              + ch.size() + "; the checkpoint is truncated or corrupt");
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (long done = 0; done < e.size(); ) {
          chunk.clear().limit((int) Math.min(chunk.capacity(), e.size() - done));
          while (chunk.hasRemaining()) {
            if (ch.read(chunk, e.offset() + done + chunk.position()) < 0) {
              throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' runs past the"
                  + " end of " + shard.getFileName() + "; the checkpoint is truncated");
            }
          }
          crc.update(chunk.array(), 0, chunk.position());
          done += chunk.position();
        }
        if (Crc32c.mask((int) crc.getValue()) != e.maskedCrc()) {
          throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' fails its CRC32C"
              + " check in " + shard.getFileName() + "; the checkpoint is corrupt");
        }
      }
    } catch (IOException ex) {
      throw TfpeftException.failure("cannot read checkpoint " + prefix + ": " + ex.getMessage(),
          ex);
    } finally {
      for (FileChannel c : channels) {
        if (c != null) {
          try {
            c.close();
          } catch (IOException ignored) {
            // only read
          }
        }
      }
    }
    return index.entries().size();
  }

  private static float[] values(FileChannel ch, Entry e, Path prefix) throws IOException {
    int width = switch (e.dtype()) {
      case DT_FLOAT, DT_INT32 -> 4;
      case DT_DOUBLE, DT_INT64 -> 8;
      case DT_HALF, DT_BFLOAT16 -> 2;
      default -> throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' has dtype "
          + e.dtype() + ", which tfpeft does not read as numbers");
    };
    long n = e.elements();
    if (n * width != e.size() || e.offset() < 0 || e.offset() + e.size() > ch.size()) {
      throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' claims " + e.size()
          + " bytes at offset " + e.offset() + " for " + n + " " + e.dtype() + " values in a "
          + ch.size() + "-byte shard; the checkpoint is truncated or corrupt");
    }
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.size())).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, e.offset() + buf.position()) < 0) {
        throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' runs past the end of "
            + "its shard; the checkpoint is truncated");
      }
    }
    buf.flip();
    if (Crc32c.masked(buf.array(), 0, buf.limit()) != e.maskedCrc()) {
      throw TfpeftException.usage(prefix + ": tensor '" + e.name() + "' fails its CRC32C "
          + "check; the checkpoint is corrupt");
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (e.dtype()) {
        case DT_FLOAT -> buf.getFloat();
        case DT_INT32 -> buf.getInt();
        case DT_DOUBLE -> (float) buf.getDouble();
        case DT_INT64 -> buf.getLong();
        case DT_HALF -> HalfFloats.halfToFloat(buf.getShort());
        default -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
      };
    }
    return v;
  }

  private static long[] dims(TensorShapeProto s) {
    long[] d = new long[s.getDimCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = s.getDim(i).getSize();
    }
    return d;
  }

  static TfpeftException corrupt(Path file, String what) {
    return TfpeftException.usage(file + ": " + what);
  }

  /** A LevelDB-format table read from memory: footer, index block, data blocks. */
  private static final class Table {
    private final Path file;
    private final byte[] b;

    Table(Path file, byte[] bytes) {
      this.file = file;
      this.b = bytes;
      if (b.length < FOOTER) {
        throw corrupt(file, "only " + b.length + " bytes; truncated (a table ends in a "
            + FOOTER + "-byte footer)");
      }
      long magic = ByteBuffer.wrap(b, b.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (magic != TABLE_MAGIC) {
        throw corrupt(file, "no table magic at the end; not a checkpoint index, or truncated");
      }
    }

    List<byte[][]> entries() {
      int[] pos = {b.length - FOOTER};
      varint(pos);
      varint(pos); // metaindex handle, unused
      long indexOffset = varint(pos);
      long indexSize = varint(pos);
      List<byte[][]> out = new ArrayList<>();
      for (byte[][] idx : block(indexOffset, indexSize)) {
        int[] p = {0};
        long off = varint(idx[1], p);
        long size = varint(idx[1], p);
        out.addAll(block(off, size));
      }
      return out;
    }

    private List<byte[][]> block(long offset, long size) {
      if (offset < 0 || size < 4 || offset + size + 5 > b.length) {
        throw corrupt(file, "a block handle points outside the file (offset " + offset
            + ", size " + size + ", file " + b.length + " bytes); truncated or corrupt");
      }
      int start = (int) offset;
      int end = start + (int) size;
      int type = b[end] & 0xff;
      int stored = ByteBuffer.wrap(b, end + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (Crc32c.masked(b, start, (int) size + 1) != stored) {
        throw corrupt(file, "block at offset " + offset + " fails its checksum; corrupt");
      }
      if (type != 0) {
        throw corrupt(file, "block at offset " + offset + " is compressed (type " + type
            + "); tfpeft reads uncompressed checkpoint indexes only");
      }
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      int restarts = bb.getInt(end - 4);
      int limit = end - 4 - 4 * restarts;
      if (restarts < 0 || limit < start) {
        throw corrupt(file, "block at offset " + offset + " has a bad restart count");
      }
      List<byte[][]> out = new ArrayList<>();
      byte[] key = new byte[0];
      int[] p = {start};
      while (p[0] < limit) {
        int shared = (int) varint(p);
        int nonShared = (int) varint(p);
        int valueLength = (int) varint(p);
        if (shared > key.length || p[0] + nonShared + valueLength > limit) {
          throw corrupt(file, "an entry of the block at offset " + offset + " overruns it");
        }
        byte[] k = new byte[shared + nonShared];
        System.arraycopy(key, 0, k, 0, shared);
        System.arraycopy(b, p[0], k, shared, nonShared);
        p[0] += nonShared;
        byte[] v = java.util.Arrays.copyOfRange(b, p[0], p[0] + valueLength);
        p[0] += valueLength;
        out.add(new byte[][] {k, v});
        key = k;
      }
      return out;
    }

    private long varint(int[] pos) {
      return varint(b, pos);
    }

    private long varint(byte[] src, int[] pos) {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos[0] >= src.length) {
          throw corrupt(file, "a varint runs past the end; truncated or corrupt");
        }
        int x = src[pos[0]++] & 0xff;
        v |= (long) (x & 0x7f) << shift;
        if (x < 0x80) {
          return v;
        }
      }
      throw corrupt(file, "a varint is too long; corrupt");
    }
  }
}
