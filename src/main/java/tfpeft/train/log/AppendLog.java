package tfpeft.train.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import tfpeft.TfpeftException;

/**
 * A file a run appends to and a resumed run cuts back: opened at a given length (what the
 * checkpoint recorded), everything after it dropped, written on from there.
 */
final class AppendLog implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;

  private AppendLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** {@code file}, created if missing, cut back to {@code length} bytes. */
  static AppendLog open(Path file, long length) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      ch.truncate(length);
      ch.position(length);
      return new AppendLog(file, ch);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  void write(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Bytes in the file so far. */
  long length() {
    try {
      return channel.position();
    } catch (IOException e) {
      throw TfpeftException.failure("cannot read the length of " + file, e);
    }
  }

  /** Forces what was written to disk. */
  void flush() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to write
    }
  }
}
