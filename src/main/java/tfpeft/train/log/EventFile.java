package tfpeft.train.log;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import tfpeft.util.Crc32c;

/**
 * A TensorBoard event file: TFRecord framing (length as uint64, masked CRC-32C of the length,
 * the serialized {@code Event}, masked CRC-32C of it), the first event naming the file version,
 * then one event per scalar. Opened for append: a resumed run cuts the file back to the length
 * its checkpoint recorded and continues it.
 */
public final class EventFile implements AutoCloseable {
  public static final String PREFIX = "events.out.tfevents.";
  static final String FILE_VERSION = "brain.Event:2";

  private final AppendLog log;

  private EventFile(AppendLog log) {
    this.log = log;
  }

  /** A new event file in {@code dir}, named as TensorBoard expects. */
  public static EventFile create(Path dir, double wallTime) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    Path file = dir.resolve(PREFIX + (long) wallTime + "." + host);
    EventFile f = open(file, 0);
    f.write(Event.newBuilder().setWallTime(wallTime).setFileVersion(FILE_VERSION).build());
    return f;
  }

  /** An existing event file, cut back to {@code length} bytes and opened for appending. */
  public static EventFile open(Path file, long length) {
    return new EventFile(AppendLog.open(file, length));
  }

  /** The event file of a run directory, if it has one. */
  public static Path find(Path dir) {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted().findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  public Path file() {
    return log.file();
  }

  public void scalar(String tag, long step, double value, double wallTime) {
    write(Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(Summary.newBuilder()
        .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value))).build());
  }

  private void write(Event e) {
    log.write(record(e.toByteArray()));
  }

  /** One TFRecord: the framing around {@code data}. */
  public static byte[] record(byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(data.length);
    b.putInt(Crc32c.masked(b.array(), 0, 8));
    b.put(data);
    b.putInt(Crc32c.masked(data));
    return b.array();
  }

  /** The records of a TFRecord file, each checked against both CRCs. */
  public static List<byte[]> readRecords(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (b.remaining() >= 12) {
      int start = b.position();
      long len = b.getLong();
      if (b.getInt() != Crc32c.masked(b.array(), start, 8) || len > b.remaining() - 4) {
        throw new IOException(file + ": bad record header at byte " + start);
      }
      byte[] data = new byte[(int) len];
      b.get(data);
      if (b.getInt() != Crc32c.masked(data)) {
        throw new IOException(file + ": record at byte " + start + " fails its CRC check");
      }
      out.add(data);
    }
    if (b.hasRemaining()) {
      throw new IOException(file + ": " + b.remaining() + " trailing bytes");
    }
    return out;
  }

  /** Bytes written so far. */
  public long length() {
    return log.length();
  }

  public void flush() {
    log.flush();
  }

  @Override
  public void close() {
    log.close();
  }
}
