package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class CoopSplitReaderTest {
  @TempDir Path dir;

  @BeforeEach
  void images() {
    TestImages.png(dir.resolve("images/cat/1.png"), 4, 4, 1);
    TestImages.png(dir.resolve("images/dog/1.png"), 4, 4, 2);
  }

  private CoopSplitReader.Result read(String json, BadExamples bad) {
    TestImages.write(dir.resolve("split_zhou_Pets.json"), json);
    return CoopSplitReader.read(dir.resolve("split_zhou_Pets.json"), dir.resolve("images"), bad);
  }

  private String error(String json) {
    return assertThrows(TfpeftException.class, () -> read(json, BadExamples.strict()))
        .getMessage();
  }

  @Test
  void readsSplitsAndClassNamesInLabelOrder() {
    CoopSplitReader.Result r = read("""
        {"train": [["dog/1.png", 1, "dog"], ["cat/1.png", 0, "cat"]],
         "val": [["cat/1.png", 0, "cat"]],
         "test": [["dog/1.png", 1, "dog"]]}
        """, BadExamples.strict());
    assertEquals(List.of("cat", "dog"), r.classNames());
    assertEquals(2, r.train().size());
    assertEquals(1, r.val().size());
    assertEquals(1, r.test().size());
    assertEquals(2, r.train().examples().get(0).image().load().get(0, 0, 0));
  }

  @Test
  void malformedJsonNamesTheLine() {
    String msg = error("{\"train\": [\n[\"cat/1.png\", 0, \"cat\"],\n[\"dog/1.png\" 1]\n]}");
    assertTrue(msg.startsWith(dir.resolve("split_zhou_Pets.json") + ":3: JSON does not parse"),
        msg);
  }

  @Test
  void entryOfTheWrongShapeNamesLineAndIndex() {
    String msg = error("{\"train\": [\n[\"cat/1.png\", 0, \"cat\"],\n[\"dog/1.png\", \"x\"]\n],"
        + " \"test\": [[\"cat/1.png\", 0, \"cat\"]]}");
    assertTrue(msg.startsWith(dir.resolve("split_zhou_Pets.json") + ":3 (train[1]): expected "
        + "[relpath, label, classname]"), msg);
  }

  @Test
  void conflictingClassNamesForOneLabelAreAnError() {
    String msg = error("{\"train\": [[\"cat/1.png\", 0, \"cat\"], [\"dog/1.png\", 0, \"dog\"]],"
        + " \"test\": [[\"cat/1.png\", 0, \"cat\"]]}");
    assertTrue(msg.contains("label 0 is named 'dog' here but 'cat' elsewhere"), msg);
  }

  @Test
  void gapInLabelsIsAnError() {
    String msg = error("{\"train\": [[\"cat/1.png\", 0, \"cat\"], [\"dog/1.png\", 2, \"dog\"]],"
        + " \"test\": [[\"cat/1.png\", 0, \"cat\"]]}");
    assertTrue(msg.contains("no entry has label 1"), msg);
  }

  @Test
  void missingTestSplitIsAnError() {
    assertTrue(error("{\"train\": [[\"cat/1.png\", 0, \"cat\"]]}").contains("no \"test\" entries"));
  }

  @Test
  void missingImageIsSkippedAndCountedWhenSkipping() {
    BadExamples bad = new BadExamples(true, w -> {});
    CoopSplitReader.Result r = read("{\"train\": [[\"cat/1.png\", 0, \"cat\"], "
        + "[\"cat/2.png\", 0, \"cat\"]], \"test\": [[\"cat/1.png\", 0, \"cat\"]]}", bad);
    assertEquals(1, r.train().size());
    assertEquals(1, bad.count());
    assertTrue(bad.messages().get(0).contains("cat/2.png"), bad.messages().get(0));
  }

  @Test
  void missingFileIsAnError() {
    TfpeftException e = assertThrows(TfpeftException.class, () -> CoopSplitReader.read(
        dir.resolve("nope.json"), dir, BadExamples.strict()));
    assertTrue(e.getMessage().endsWith("nope.json: split file not found"));
  }
}
