package tfpeft.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

/** --overwrite replaces an earlier output of the same kind, never a directory of the user's. */
class AtomicFilesTest {
  @TempDir Path dir;

  Path output(String name, String marker, String content) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve(marker), content);
    return d;
  }

  @Test
  void anEarlierOutputOfTheSameKindIsReplaced() throws Exception {
    Path out = output("export", "saved_model.pb", "old");
    AtomicFiles.replaceDirectory(output("new", "saved_model.pb", "new"), out);
    assertEquals("new", Files.readString(out.resolve("saved_model.pb")));
  }

  @Test
  void aDirectoryOfOtherFilesIsNotReplaced() throws Exception {
    Path home = output("home", "thesis.tex", "years of work");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> AtomicFiles.replaceDirectory(output("new", "saved_model.pb", "new"), home));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith(home + " exists and is not an earlier output of this"
        + " command (it holds none of [saved_model.pb])"), e.getMessage());
    assertEquals("years of work", Files.readString(home.resolve("thesis.tex")));
  }

  @Test
  void anEmptyDirectoryIsReplaced() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    AtomicFiles.replaceDirectory(output("new", "manifest.json", "{}"), empty);
    assertTrue(Files.isRegularFile(empty.resolve("manifest.json")));
  }
}
