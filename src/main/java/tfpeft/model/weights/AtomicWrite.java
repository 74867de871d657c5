package tfpeft.model.weights;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import tfpeft.TfpeftException;
import tfpeft.util.AtomicFiles;

/**
 * The writers' shared way of making a file appear whole or not at all: write a hidden temporary
 * sibling, then rename it over the target (see {@link AtomicFiles#move}). Any failure removes the
 * temporary file.
 */
final class AtomicWrite {
  /** Writes the complete content into the file it is given. */
  interface Content {
    void writeTo(Path file) throws IOException;
  }

  private AtomicWrite() {}

  static void write(Path target, Content content) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    boolean done = false;
    try {
      Files.createDirectories(dir);
      tmp = newSibling(dir, target.getFileName().toString());
      content.writeTo(tmp);
      AtomicFiles.move(tmp, target);
      done = true;
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        AtomicFiles.deleteQuietly(tmp);
      }
    }
  }

  /**
   * Creates an empty ".name.random.tmp" in {@code dir}. Not {@link Files#createTempFile}: that
   * makes the file readable by its owner only, and a checkpoint or a logits file should get the
   * usual permissions from the umask like any other output.
   */
  private static Path newSibling(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
      Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
            .close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 16) {
          throw e;
        }
      }
    }
  }
}
