package tfpeft.data.synthetic;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import tfpeft.TfpeftException;

/**
 * An output directory written all at once: everything goes into a hidden staging sibling, which
 * {@link #commit()} renames into place. Closing without a commit deletes the staging directory, so
 * a failed run leaves neither partial output nor debris. An existing directory is replaced only
 * after the new one is complete.
 */
final class AtomicOutput implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private boolean committed;

  private AtomicOutput(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /**
   * Checks that {@code out} may be written and creates the staging directory next to it.
   *
   * @throws TfpeftException (usage) if {@code out} is a file, is a non-empty directory and
   *     {@code overwrite} is false, or its parent cannot be created or written
   */
  static AtomicOutput begin(Path out, boolean overwrite) {
    Path target = out.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw TfpeftException.usage(
          "cannot write the synthetic suite to the filesystem root; choose a directory");
    }
    if (Files.exists(target)) {
      if (!Files.isDirectory(target)) {
        throw TfpeftException.usage("output path " + target + " exists and is not a directory");
      }
      if (!overwrite && !isEmptyDirectory(target)) {
        throw TfpeftException.usage("output directory " + target
            + " already exists and is not empty; choose another directory or allow overwriting");
      }
    }
    try {
      Files.createDirectories(parent);
    } catch (FileAlreadyExistsException e) {
      throw TfpeftException.usage("cannot create output directory " + target + ": "
          + e.getFile() + " exists and is not a directory", e);
    } catch (AccessDeniedException e) {
      throw TfpeftException.usage("cannot create output directory " + target
          + ": permission denied for " + e.getFile(), e);
    } catch (IOException e) {
      throw TfpeftException.usage("cannot create output directory " + target + ": " + describe(e), e);
    }
    if (!Files.isWritable(parent)) {
      throw TfpeftException.usage("cannot write output directory " + target + ": " + parent
          + " is not writable");
    }
    try {
      return new AtomicOutput(target, createSibling(target, ".tmp-"));
    } catch (IOException e) {
      throw TfpeftException.usage("cannot write output directory " + target + ": " + describe(e), e);
    }
  }

  /** Where to write; becomes {@link #target()} on commit. */
  Path staging() {
    return staging;
  }

  Path target() {
    return target;
  }

  /** Moves the staging directory into place, replacing any existing target. */
  void commit() {
    Path old = null;
    try {
      if (Files.isDirectory(target)) {
        if (isEmptyDirectory(target)) {
          Files.delete(target);
        } else {
          // Reserve a fresh name, then free it so the old directory can be renamed onto it.
          old = createSibling(target, ".old-");
          Files.delete(old);
          move(target, old);
        }
      }
      try {
        move(staging, target);
      } catch (IOException e) {
        if (old != null) {
          move(old, target);
          old = null;
        }
        throw e;
      }
      committed = true;
    } catch (IOException e) {
      throw TfpeftException.failure(
          "cannot move the finished suite into place at " + target + ": " + describe(e), e);
    }
    if (old != null) {
      tfpeft.util.AtomicFiles.deleteTree(old);
    }
  }

  /** Deletes the staging directory unless the output was committed. */
  @Override
  public void close() {
    if (!committed) {
      tfpeft.util.AtomicFiles.deleteTree(staging);
    }
  }

  /**
   * A new hidden directory next to {@code target} with a unique name. Created with {@link
   * Files#createDirectory} rather than createTempDirectory, whose owner-only permissions would
   * otherwise become those of the published output.
   */
  private static Path createSibling(Path target, String infix) throws IOException {
    SplittableRandom names = new SplittableRandom(System.nanoTime());
    for (int attempt = 0; ; attempt++) {
      Path candidate = target.resolveSibling(
          "." + target.getFileName() + infix + Long.toHexString(names.nextLong() >>> 16));
      try {
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw TfpeftException.usage("cannot read output directory " + dir + ": " + describe(e), e);
    }
  }

  /** An I/O error as a user reads it: what went wrong and with which file, no class names. */
  static String describe(IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied for " + denied.getFile();
    }
    if (e instanceof NoSuchFileException missing) {
      return "no such file or directory: " + missing.getFile();
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return (fs.getFile() != null ? fs.getFile() + ": " : "") + fs.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
