package tfpeft.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import tfpeft.TfpeftException;

/**
 * Writes files so that a crash or a full disk never leaves a half-written one: the content goes
 * to a hidden temporary sibling that is renamed over the target only when complete; any failure
 * removes the temporary file and leaves an existing target untouched.
 */
public final class AtomicFiles {
  /** Writes the complete content into the (temporary) file it is given. */
  public interface Content {
    void writeTo(Path file) throws IOException;
  }

  private AtomicFiles() {}

  public static void writeString(Path target, String content) {
    write(target, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void write(Path target, byte[] content) {
    write(target, file -> Files.write(file, content));
  }

  public static void write(Path target, Content content) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    boolean done = false;
    try {
      Files.createDirectories(dir);
      tmp = newSibling(dir, target.getFileName().toString());
      content.writeTo(tmp);
      move(tmp, target);
      done = true;
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        deleteQuietly(tmp);
      }
    }
  }

  /**
   * Creates an empty ".name.random.tmp" in {@code dir}. Not {@link Files#createTempFile}: that
   * makes the file readable by its owner only, and outputs should get the usual permissions.
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

  /** Renames {@code from} over {@code to}, atomically where the file system allows it. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a leftover hidden temporary file is harmless
    }
  }

  /** Deletes a directory tree, best effort (a leftover hidden temporary is harmless). */
  public static void deleteTree(Path p) {
    if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (var s = Files.walk(p)) {
      all = s.sorted(java.util.Comparator.reverseOrder()).toList();
    } catch (IOException e) {
      return; // gone meanwhile, or unreadable: nothing more can be done here
    }
    for (Path f : all) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // best effort: what cannot be deleted stays, and the rest still goes; callers are
        // cleaning up after (or before) the step whose failure matters
      }
    }
  }

  /**
   * Refuses to replace an {@code out} that is not an earlier output of the same kind: a
   * non-empty directory sharing no top-level file with the new one (a SavedModel's
   * saved_model.pb, an artifact's manifest.json, a backbone's weights.safetensors) is someone's
   * own directory, and --overwrite with a mistyped --out must not delete it.
   */
  private static void checkReplaceable(Path tmp, Path out) throws IOException {
    if (!Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw TfpeftException.usage(out + " exists and is not a directory; --overwrite replaces"
          + " only an earlier output of this command, choose another --out");
    }
    List<String> theirs;
    try (var s = Files.list(out)) {
      theirs = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
    }
    if (theirs.isEmpty()) {
      return;
    }
    List<String> ours;
    try (var s = Files.list(tmp)) {
      ours = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
    }
    if (theirs.stream().noneMatch(n -> ours.contains(n) && Files.isRegularFile(out.resolve(n)))) {
      throw TfpeftException.usage(out + " exists and is not an earlier output of this command"
          + " (it holds none of " + ours + "); --overwrite replaces only such a directory, so"
          + " nothing was replaced: choose another --out, or empty it first");
    }
  }

  /**
   * Puts the finished directory {@code tmp} at {@code out}: an existing {@code out} is moved
   * aside first and deleted only once the new one is in place, so a failure leaves the old one.
   */
  public static void replaceDirectory(Path tmp, Path out) throws IOException {
    checkReplaceable(tmp, out);
    Path old = null;
    if (Files.exists(out)) {
      old = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".old."
          + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36));
      Files.move(out, old);
    }
    try {
      Files.move(tmp, out);
    } catch (IOException e) {
      if (old != null) {
        Files.move(old, out);
        old = null;
      }
      throw e;
    } finally {
      deleteTree(old);
    }
  }
}
