package tfpeft.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import tfpeft.TfpeftException;

/**
 * One writer per directory: an operating-system lock ({@link FileChannel#tryLock}) on a file
 * inside it, held for the life of the command. The operating system releases it when the process
 * ends however it ends (SIGKILL, a power cut), so a lock never outlives its holder and there is
 * nothing stale to clean up. The holder writes its pid, command and start time into the file, so
 * that a second writer can say who is there.
 *
 * <p>The file is never deleted: a process that opened it just before the deletion would lock a
 * file nobody else can find any more.
 */
public final class DirectoryLock implements AutoCloseable {
  public static final String FILE = ".tfpeft.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dir} (which must exist) for {@code command}; a failure (exit 1) naming the
   * holder when another process, or another command of this one, holds it.
   */
  public static DirectoryLock acquire(Path dir, String command) {
    Path file = dir.resolve(FILE);
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw TfpeftException.usage("cannot create the lock file " + file + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the directory must be"
          + " writable", e);
    }
    FileLock lock = null;
    try {
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this process (another command running in it)
      }
      if (lock == null) {
        throw TfpeftException.failure(dir + " is in use by another tfpeft process ("
            + holder(ch) + "); wait for it to finish or stop it, then run this again. The"
            + " lock goes with the process: nothing needs deleting");
      }
      String who = "pid " + ProcessHandle.current().pid() + ", " + command + ", started "
          + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(who.getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(false);
      return new DirectoryLock(ch, lock);
    } catch (IOException e) {
      close(ch);
      throw TfpeftException.failure("cannot lock " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close(ch);
      throw e;
    }
  }

  /** What the holder wrote into the lock file (it may be writing it this moment). */
  private static String holder(FileChannel ch) {
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.read(b, 0);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        if (!s.isEmpty()) {
          return s;
        }
        Thread.sleep(25);
      } catch (IOException e) {
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return "holder unknown";
  }

  /** Whether {@code name} is the lock file (which survives clearing the directory). */
  public static boolean isLockFile(Path p) {
    return p.getFileName() != null && p.getFileName().toString().equals(FILE);
  }

  private static void close(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing a read-write channel we wrote nothing more through
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // the channel's close below releases it as well
    }
    close(channel);
  }
}
