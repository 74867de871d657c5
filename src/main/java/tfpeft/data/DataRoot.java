package tfpeft.data;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Keeps the paths a list file or split JSON names inside the directory they are relative to.
 * A dataset downloaded from elsewhere is data, not instructions: "../../home/user/.ssh/id_rsa"
 * or "/etc/shadow" in one of its lists must not make tfpeft read (and report on) a file outside
 * the dataset. The check is on the path as written (lexical, after removing "." and ".."), so a
 * symbolic link inside the dataset, a common way to lay data out, still works; a source's
 * {@code allow_paths_outside_root} turns it off for datasets that really are laid out so.
 */
final class DataRoot {
  private DataRoot() {}

  /**
   * What is wrong with {@code written} as a path under {@code root}, or null when it stays
   * inside (or {@code allowOutside}).
   */
  static String problem(Path root, String written, boolean allowOutside, String option) {
    Path p;
    try {
      p = Path.of(written);
    } catch (InvalidPathException e) {
      return "'" + written + "' is not a valid path (" + e.getReason() + ")";
    }
    if (allowOutside) {
      return null;
    }
    Path base = root.toAbsolutePath().normalize();
    if (p.isAbsolute() || !base.resolve(p).normalize().startsWith(base)) {
      return "the path '" + written + "' leaves " + root + " (" + (p.isAbsolute() ? "an absolute"
          + " path" : "through ..") + "); paths in a dataset's lists are relative to it. Set "
          + option + ": true if the dataset is laid out so on purpose";
    }
    return null;
  }
}
