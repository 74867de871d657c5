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
 * Writes TensorFlow's V2 checkpoint bundle, the format of {@code tf.train.Checkpoint} and
 * {@code Session.save}: {@code <prefix>.data-00000-of-00001} holds the tensors' little-endian bytes
 * back to back; {@code <prefix>.index} is a {@link SortedTable} whose key "" holds a
 * {@code BundleHeaderProto} and whose other keys, the tensor names in byte order, hold
 * {@code BundleEntryProto}s (type, shape, offset, size, masked CRC-32C of the bytes).
 *
 * <p>tfpeft writes the bundle itself rather than through {@code Session.save}, which saves every
 * VariableV2 in the graph as of its first call and nothing created later: the trainer decides
 * what a checkpoint holds. TensorFlow's own readers (RestoreV2, {@code tf.train.load_checkpoint})
 * and {@link tfpeft.model.weights.TensorBundleReader} read these files.
 */
public final class TensorBundle {
  public static final String INDEX_SUFFIX = ".index";
  public static final String DATA_SUFFIX = ".data-00000-of-00001";

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
}
