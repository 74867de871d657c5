package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

/** Paths in a dataset's lists stay inside the dataset unless the config says otherwise. */
class DataRootTest {
  @TempDir Path root;

  @Test
  void aVtabEntryClimbingOutOfTheTaskDirectoryIsRefusedNamingTheLine() {
    Path task = root.resolve("task");
    TestImages.png(root.resolve("outside.png"), 4, 4, 1);
    TestImages.write(task.resolve("list.txt"), "../outside.png 0\n");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> VtabListReader.readList(task, "list.txt", BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(task.resolve("list.txt") + ":1: the path"
        + " '../outside.png' leaves " + task + " (through ..); paths in a dataset's lists are"
        + " relative to it. Set data.vtab.allow_paths_outside_root: true"), e.getMessage());
  }

  @Test
  void anAbsoluteVtabEntryIsRefusedAndSkippedWhenSkipping() {
    Path task = root.resolve("task");
    TestImages.png(task.resolve("in.png"), 4, 4, 1);
    TestImages.write(task.resolve("list.txt"), "/etc/passwd 0\nin.png 0\n");
    List<String> warnings = new ArrayList<>();
    List<VtabListReader.Entry> entries = VtabListReader.readList(task, "list.txt",
        new BadExamples(true, warnings::add));
    assertEquals(List.of(task.resolve("in.png")), entries.stream()
        .map(VtabListReader.Entry::path).toList());
    assertTrue(warnings.get(0).contains("the path '/etc/passwd' leaves " + task + " (an"
        + " absolute path)"), warnings.toString());
  }

  @Test
  void theOptionAdmitsPathsOutsideAndDotsThatStayInsideNeedNone() {
    Path task = root.resolve("task");
    TestImages.write(task.resolve("list.txt"), "../outside.png 0\nsub/../in.png 1\n");
    assertEquals(2, VtabListReader.readList(task, "list.txt", BadExamples.strict(), true)
        .size());
    TestImages.write(task.resolve("inside.txt"), "sub/../in.png 1\n");
    assertEquals(1, VtabListReader.readList(task, "inside.txt", BadExamples.strict()).size());
  }

  @Test
  void aCoopImagePathLeavingTheImageDirectoryIsRefused() {
    Path images = root.resolve("images");
    TestImages.png(images.resolve("a.png"), 4, 4, 1);
    TestImages.write(root.resolve("split.json"), "{\"train\": [[\"a.png\", 0, \"cat\"]],"
        + " \"test\": [[\"../../secret.png\", 0, \"cat\"]]}");
    TfpeftException e = assertThrows(TfpeftException.class, () -> CoopSplitReader.read(
        root.resolve("split.json"), images, BadExamples.strict()));
    assertTrue(e.getMessage().contains("(test[0]) ../../secret.png: the path"
        + " '../../secret.png' leaves " + images + " (through ..)"), e.getMessage());
    assertTrue(e.getMessage().contains("data.coop.allow_paths_outside_root"), e.getMessage());
  }

  @Test
  void aDuplicatedListEntryIsKeptWithAWarningNamingBothLines() {
    Path task = root.resolve("task");
    TestImages.write(task.resolve("list.txt"), "a.png 0\nb.png 1\n./a.png 0\n");
    List<String> warnings = new ArrayList<>();
    List<VtabListReader.Entry> entries = VtabListReader.readList(task, "list.txt",
        new BadExamples(false, warnings::add));
    assertEquals(3, entries.size());
    assertEquals(List.of("warning: " + task.resolve("list.txt") + ":3: ./a.png is listed again"
        + " (first on line 1); it counts twice"), warnings);
  }

  @Test
  void aDuplicatedCoopEntryIsKeptWithAWarning() {
    Path images = root.resolve("images");
    TestImages.png(images.resolve("a.png"), 4, 4, 1);
    TestImages.write(root.resolve("split.json"), "{\"train\": [[\"a.png\", 0, \"cat\"],"
        + " [\"a.png\", 0, \"cat\"]], \"test\": [[\"a.png\", 0, \"cat\"]]}");
    List<String> warnings = new ArrayList<>();
    CoopSplitReader.Result r = CoopSplitReader.read(root.resolve("split.json"), images,
        new BadExamples(false, warnings::add));
    assertEquals(2, r.train().size());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("(train[1]): a.png is listed again (first as"
        + " train[0]); it counts twice"), warnings.toString());
  }

  @Test
  void aBinaryListFileIsNamedAsOne() {
    Path task = root.resolve("task");
    TestImages.write(task.resolve("list.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff,
        0, 1});
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> VtabListReader.readList(task, "list.txt", BadExamples.strict()));
    assertEquals(task.resolve("list.txt") + ": not a UTF-8 text file (a binary file, or another"
        + " encoding); a list holds one 'relative/path label' per line", e.getMessage());
  }

  @Test
  void aCoopLabelWithAnEmptyClassNameNamesTheEntry() {
    Path images = root.resolve("images");
    TestImages.png(images.resolve("a.png"), 4, 4, 1);
    TestImages.write(root.resolve("split.json"), "{\"train\": [[\"a.png\", 0, \"cat\"],"
        + " [\"a.png\", 1, \" \"]], \"test\": [[\"a.png\", 0, \"cat\"]]}");
    TfpeftException e = assertThrows(TfpeftException.class, () -> CoopSplitReader.read(
        root.resolve("split.json"), images, BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(root.resolve("split.json") + ":1 (train[1]): label 1"
        + " has an empty class name"), e.getMessage());
  }
}
