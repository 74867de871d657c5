package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class AtomicWriteTest {
  @TempDir
  Path temp;

  private static SyntheticOptions.Builder tiny() {
    return SuiteFiles.small().pretrainCount(20).tasks(List.of("count"));
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static ProgressListener failingAfterFirstProgress() {
    return (stage, done, total) -> {
      throw new IllegalStateException("stop here");
    };
  }

  @Test
  void existingNonEmptyDirectoryIsRefusedAndLeftUntouched() throws IOException {
    Path out = Files.createDirectories(temp.resolve("suite"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> SyntheticSuite.generate(out, tiny().build(), ProgressListener.NONE));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("not empty"),
        e.getMessage());
    assertEquals(List.of("keep.txt"), entries(out));
    assertEquals(List.of("suite"), entries(temp));
  }

  @Test
  void existingEmptyDirectoryIsFilled() throws IOException {
    Path out = Files.createDirectories(temp.resolve("suite"));
    SyntheticSuite.generate(out, tiny().build(), ProgressListener.NONE);
    assertTrue(Files.isRegularFile(out.resolve("suite.json")));
  }

  @Test
  void overwriteReplacesTheOldDirectoryWithTheNewSuite() throws IOException {
    Path out = Files.createDirectories(temp.resolve("suite"));
    Files.writeString(out.resolve("old.txt"), "old");
    SyntheticSuite.generate(out, tiny().overwrite(true).build(), ProgressListener.NONE);
    assertFalse(Files.exists(out.resolve("old.txt")));
    assertTrue(Files.isRegularFile(out.resolve("suite.json")));
    assertEquals(List.of("suite"), entries(temp));
  }

  @Test
  void failurePartWayLeavesNoOutputAndNoStagingDirectory() throws IOException {
    Path out = temp.resolve("suite");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SyntheticSuite.generate(out, tiny().build(), failingAfterFirstProgress()));
    assertEquals("stop here", e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(List.of(), entries(temp));
  }

  @Test
  void failurePartWayWithOverwriteKeepsThePreviousContent() throws IOException {
    Path out = Files.createDirectories(temp.resolve("suite"));
    Files.writeString(out.resolve("old.txt"), "old");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SyntheticSuite.generate(
        out, tiny().overwrite(true).build(), failingAfterFirstProgress()));
    assertEquals("stop here", e.getMessage());
    assertEquals(List.of("old.txt"), entries(out));
    assertEquals(List.of("suite"), entries(temp));
  }

  @Test
  void destinationBelowAFileIsAUsageErrorNamingTheFile() throws IOException {
    Path file = Files.writeString(temp.resolve("file.txt"), "x");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> SyntheticSuite.generate(file.resolve("suite"), tiny().build(), ProgressListener.NONE));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a directory"),
        e.getMessage());
  }

  @Test
  void destinationThatIsAFileIsAUsageError() throws IOException {
    Path file = Files.writeString(temp.resolve("suite"), "x");
    TfpeftException e = assertThrows(TfpeftException.class, () -> SyntheticSuite.generate(
        file, tiny().overwrite(true).build(), ProgressListener.NONE));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertEquals("x", Files.readString(file));
  }
}
