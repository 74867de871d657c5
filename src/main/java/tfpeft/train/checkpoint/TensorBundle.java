package tfpeft.train.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;
import tfpeft.model.weights.NamedTensor;
import tfpeft.util.Crc32c;

/**
 * TensorFlow's V2 checkpoint bundle, the format of {@code tf.train.Checkpoint} and
 * {@code Session.save}: {@code <prefix>.data-00000-of-00001} holds the tensors' little-endian bytes
 * back to back; {@code <prefix>.index} is a {@link SortedTable} whose key "" holds a
 * {@code BundleHeaderProto} and whose other keys, the tensor names in byte order, hold
 * {@code BundleEntryProto}s (type, shape, offset, size, masked CRC-32C of the bytes).
 *
 * <p>tfpeft writes the bundle itself rather than through {@code Session.save}, which saves every
 * VariableV2 in the graph as of its first call and nothing created later: the trainer decides
 * what a checkpoint holds. TensorFlow's own readers (RestoreV2, {@code tf.train.load_checkpoint})
 * read these files.
 */
public final class TensorBundle {
  public static final String INDEX_SUFFIX = ".index";
  public static final String DATA_SUFFIX = ".data-00000-of-00001";

  /** What the index says about one tensor. */
  public record Entry(String name, DataType dtype, long[] shape, long offset, long size,
      int maskedCrc) {
    public long elements() {
      return NamedTensor.elementCount(shape);
    }
  }

  private TensorBundle() {}

  public static Path indexFile(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + INDEX_SUFFIX);
  }

  public static Path dataFile(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + DATA_SUFFIX);
  }

  /** Writes float32 tensors one at a time; {@link #finish} writes the index. */
  public static final class Writer implements AutoCloseable {
    private final Path prefix;
    private final FileChannel data;
    private final OutputStream dataOut;
    private final Map<String, BundleEntryProto> entries = new TreeMap<>(
        (a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
            b.getBytes(StandardCharsets.UTF_8)));
    private long offset;
    private boolean finished;

    public Writer(Path prefix) throws IOException {
      this.prefix = prefix;
      this.data = FileChannel.open(dataFile(prefix), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      this.dataOut = Channels.newOutputStream(data);
    }

    public void add(String name, long[] shape, float[] values) throws IOException {
      if (name.isEmpty() || entries.containsKey(name)) {
        throw new IllegalArgumentException("bad or repeated tensor name '" + name + "'");
      }
      if (NamedTensor.elementCount(shape) != values.length) {
        throw new IllegalArgumentException(name + ": " + values.length + " values for shape "
            + NamedTensor.formatShape(shape));
      }
      CRC32C crc = new CRC32C();
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < values.length; ) {
        buf.clear();
        int n = Math.min(values.length - i, buf.capacity() / 4);
        buf.asFloatBuffer().put(values, i, n);
        crc.update(buf.array(), 0, n * 4);
        dataOut.write(buf.array(), 0, n * 4);
        i += n;
      }
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      for (long d : shape) {
        s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
      }
      long size = values.length * 4L;
      entries.put(name, BundleEntryProto.newBuilder().setDtype(DataType.DT_FLOAT).setShape(s)
          .setShardId(0).setOffset(offset).setSize(size)
          .setCrc32C(Crc32c.mask((int) crc.getValue())).build());
      offset += size;
    }

    /** Flushes the data to disk and writes the index (also synced). */
    public void finish() throws IOException {
      data.force(true);
      List<Map.Entry<byte[], byte[]>> table = new ArrayList<>();
      BundleHeaderProto header = BundleHeaderProto.newBuilder().setNumShards(1)
          .setEndianness(BundleHeaderProto.Endianness.LITTLE)
          .setVersion(VersionDef.newBuilder().setProducer(1)).build();
      table.add(Map.entry(new byte[0], header.toByteArray()));
      for (Map.Entry<String, BundleEntryProto> e : entries.entrySet()) {
        table.add(Map.entry(e.getKey().getBytes(StandardCharsets.UTF_8),
            e.getValue().toByteArray()));
      }
      ByteArrayOutputStream index = new ByteArrayOutputStream();
      SortedTable.write(index, table);
      try (FileChannel ch = FileChannel.open(indexFile(prefix), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(index.toByteArray()));
        ch.force(true);
      }
      finished = true;
    }

    @Override
    public void close() throws IOException {
      data.close();
      if (!finished) {
        Files.deleteIfExists(dataFile(prefix));
      }
    }
  }

  /** The index of the bundle at {@code prefix}, in key order. */
  public static Map<String, Entry> index(Path prefix) {
    Path file = indexFile(prefix);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CheckpointFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
    Map<String, byte[]> table = SortedTable.read(bytes, file.toString());
    byte[] headerBytes = table.get("");
    if (headerBytes == null) {
      throw new CheckpointFormatException(file + ": no bundle header");
    }
    try {
      BundleHeaderProto header = BundleHeaderProto.parseFrom(headerBytes);
      if (header.getNumShards() != 1
          || header.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
        throw new CheckpointFormatException(file + ": " + header.getNumShards()
            + " shards, " + header.getEndianness() + " endian; only one little-endian shard"
            + " is supported");
      }
      Map<String, Entry> out = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> e : table.entrySet()) {
        if (e.getKey().isEmpty()) {
          continue;
        }
        BundleEntryProto p = BundleEntryProto.parseFrom(e.getValue());
        long[] shape = p.getShape().getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize)
            .toArray();
        out.put(e.getKey(), new Entry(e.getKey(), p.getDtype(), shape, p.getOffset(),
            p.getSize(), p.getCrc32C()));
      }
      return Collections.unmodifiableMap(out);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CheckpointFormatException(file + ": malformed entry (" + e.getMessage() + ")");
    }
  }

  /** Reads float32 tensors of a bundle, checking each one's CRC. */
  public static final class Reader implements AutoCloseable {
    private final Path prefix;
    private final Map<String, Entry> index;
    private final FileChannel data;

    public Reader(Path prefix) throws IOException {
      this.prefix = prefix;
      this.index = index(prefix);
      this.data = FileChannel.open(dataFile(prefix), StandardOpenOption.READ);
    }

    public Map<String, Entry> entries() {
      return index;
    }

    public float[] floats(String name) throws IOException {
      Entry e = index.get(name);
      if (e == null) {
        throw new CheckpointFormatException(prefix + ": no tensor '" + name + "'");
      }
      if (e.dtype() != DataType.DT_FLOAT || e.size() != e.elements() * 4) {
        throw new CheckpointFormatException(prefix + ": tensor '" + name + "' is " + e.dtype()
            + ", expected DT_FLOAT");
      }
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.size()))
          .order(ByteOrder.LITTLE_ENDIAN);
      long pos = e.offset();
      while (buf.hasRemaining()) {
        int n = data.read(buf, pos);
        if (n < 0) {
          throw new CheckpointFormatException(dataFile(prefix) + ": ends inside tensor '" + name
              + "'");
        }
        pos += n;
      }
      if (Crc32c.masked(buf.array()) != e.maskedCrc()) {
        throw new CheckpointFormatException(dataFile(prefix) + ": tensor '" + name
            + "' fails its CRC check (the file is damaged)");
      }
      buf.flip();
      float[] out = new float[(int) e.elements()];
      buf.asFloatBuffer().get(out);
      return out;
    }

    @Override
    public void close() throws IOException {
      data.close();
    }
  }
}
