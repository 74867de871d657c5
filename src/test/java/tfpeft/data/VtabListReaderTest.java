package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class VtabListReaderTest {
  @TempDir Path task;

  private List<VtabListReader.Entry> read(String lines, BadExamples bad) {
    TestImages.write(task.resolve("list.txt"), lines);
    return VtabListReader.readList(task, "list.txt", bad);
  }

  private String error(String lines) {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> read(lines, BadExamples.strict()));
    return e.getMessage();
  }

  @Test
  void linesArePathThenLabelAndBlankLinesAreIgnored() {
    TestImages.png(task.resolve("images/a b.png"), 4, 4, 9);
    List<VtabListReader.Entry> entries = read("images/a b.png 3\n\nimages/c.png\t0\n",
        BadExamples.strict());
    assertEquals(2, entries.size());
    assertEquals(task.resolve("images/a b.png"), entries.get(0).path());
    assertEquals(3, entries.get(0).label());
    assertTrue(entries.get(1).origin().startsWith(task.resolve("list.txt") + ":3"));
  }

  @Test
  void lineWithoutLabelNamesFileAndLine() {
    String msg = error("images/a.png 1\nimages/b.png\n");
    assertTrue(msg.startsWith(task.resolve("list.txt") + ":2: expected 'relative/path label'"),
        msg);
  }

  @Test
  void nonIntegerLabelNamesFileAndLine() {
    String msg = error("images/a.png one\n");
    assertTrue(msg.startsWith(task.resolve("list.txt") + ":1: label 'one' is not an integer"),
        msg);
  }

  @Test
  void negativeLabelIsRejected() {
    assertTrue(error("images/a.png -2\n").contains(":1: label -2 is negative"));
  }

  @Test
  void labelOutOfRangeNamesTheLine() {
    TestImages.png(task.resolve("images/a.png"), 4, 4, 1);
    List<VtabListReader.Entry> entries = read("images/a.png 0\nimages/a.png 5\n",
        BadExamples.strict());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> VtabListReader.toSplit("train", entries, 3, BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(task.resolve("list.txt") + ":2 (images/a.png): label 5"
        + " is out of range: the task has 3 classes"), e.getMessage());
  }

  @Test
  void missingImageNamesTheListLine() {
    List<VtabListReader.Entry> entries = read("images/gone.png 0\n", BadExamples.strict());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> VtabListReader.toSplit("train", entries, 3, BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(task.resolve("list.txt") + ":1 (images/gone.png): "
        + "image file not found"), e.getMessage());
  }

  @Test
  void badLinesAreSkippedAndCountedWhenSkipping() {
    TestImages.png(task.resolve("images/a.png"), 4, 4, 1);
    BadExamples bad = new BadExamples(true, w -> {});
    List<VtabListReader.Entry> entries =
        read("images/a.png 0\ngarbage\nimages/a.png x\nimages/gone.png 1\nimages/a.png 9\n", bad);
    Split s = VtabListReader.toSplit("train", entries, 3, bad);
    assertEquals(1, s.size());
    assertEquals(4, bad.count());
  }

  @Test
  void missingOrEmptyListIsAnError() {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> VtabListReader.readList(task, "nope.txt", BadExamples.strict()));
    assertEquals(task.resolve("nope.txt") + ": list file not found", e.getMessage());
    assertTrue(error("\n\n").endsWith("list file has no entries"));
  }
}
