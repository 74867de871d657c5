package tfpeft.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Moves tensor bytes from a file channel or a stream into float arrays through one reusable
 * buffer, a few MB at a time: a checkpoint is never held twice in memory, and each chunk is
 * converted with bulk buffer views rather than element by element.
 *
 * <p>Channels read into a direct buffer (the operating system copies straight into it); streams,
 * such as zip entries, into a heap buffer over a byte array. Not thread-safe: one per reader.
 */
final class ChunkReader {
  /** 4 MiB, a multiple of every element size, so no element straddles two chunks. */
  static final int CHUNK_BYTES = 1 << 22;

  /** The source ended before the promised bytes: {@code got} of {@code wanted} arrived. */
  static final class ShortReadException extends IOException {
    final long got;
    final long wanted;

    ShortReadException(long got, long wanted) {
      super("got " + got + " of " + wanted + " bytes");
      this.got = got;
      this.wanted = wanted;
    }
  }

  private final ByteBuffer buffer;

  private ChunkReader(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** A reader for file channels, sized for at most {@code largestTensorBytes}. */
  static ChunkReader forChannel(long largestTensorBytes) {
    return new ChunkReader(ByteBuffer.allocateDirect(chunkSize(largestTensorBytes)));
  }

  /** A reader for streams, sized for at most {@code largestTensorBytes}. */
  static ChunkReader forStream(long largestTensorBytes) {
    return new ChunkReader(ByteBuffer.allocate(chunkSize(largestTensorBytes)));
  }

  private static int chunkSize(long bytes) {
    return (int) Math.max(8, Math.min(CHUNK_BYTES, bytes));
  }

  /** Reads {@code count} elements stored at {@code position} of {@code channel}. */
  float[] read(FileChannel channel, long position, ElementType type, ByteOrder order, int count)
      throws IOException {
    float[] out = new float[count];
    long wanted = (long) count * type.byteSize();
    long done = 0;
    while (done < wanted) {
      int n = (int) Math.min(buffer.capacity(), wanted - done);
      buffer.clear().limit(n);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, position + done + buffer.position()) < 0) {
          throw new ShortReadException(done + buffer.position(), wanted);
        }
      }
      decodeChunk(type, order, out, done, n);
      done += n;
    }
    return out;
  }

  /** Reads {@code count} elements from the next bytes of {@code in}. */
  float[] read(InputStream in, ElementType type, ByteOrder order, int count) throws IOException {
    float[] out = new float[count];
    long wanted = (long) count * type.byteSize();
    long done = 0;
    byte[] array = buffer.array();
    while (done < wanted) {
      int n = (int) Math.min(array.length, wanted - done);
      int got = in.readNBytes(array, 0, n);
      if (got < n) {
        throw new ShortReadException(done + got, wanted);
      }
      buffer.clear().limit(n);
      decodeChunk(type, order, out, done, n);
      done += n;
    }
    return out;
  }

  private void decodeChunk(ElementType type, ByteOrder order, float[] out, long doneBytes,
      int chunkBytes) {
    buffer.position(0).limit(chunkBytes);
    buffer.order(order);
    type.decode(buffer, out, (int) (doneBytes / type.byteSize()), chunkBytes / type.byteSize());
  }
}
