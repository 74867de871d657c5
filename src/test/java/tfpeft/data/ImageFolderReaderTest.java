package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class ImageFolderReaderTest {
  @TempDir Path dir;

  @Test
  void labelsFollowSortedFolderNamesAndFilesAreSorted() {
    TestImages.png(dir.resolve("zebra/b.png"), 4, 4, 1);
    TestImages.png(dir.resolve("zebra/a.png"), 4, 4, 2);
    TestImages.png(dir.resolve("ant/x/deep.png"), 4, 4, 3);
    TestImages.write(dir.resolve("ant/notes.txt"), "not an image");
    List<String> classes = ImageFolderReader.classNames(dir);
    assertEquals(List.of("ant", "zebra"), classes);
    Split s = ImageFolderReader.read("train", dir, classes, BadExamples.strict());
    assertEquals(3, s.size());
    assertEquals(0, s.examples().get(0).label());
    assertTrue(s.examples().get(0).origin().endsWith("deep.png"));
    assertTrue(s.examples().get(1).origin().endsWith("a.png"));
    assertEquals(1, s.examples().get(2).label());
    assertEquals(2, s.examples().get(1).image().load().get(0, 0, 0));
  }

  @Test
  void directoryWithoutClassFoldersIsAnError() {
    TestImages.png(dir.resolve("loose.png"), 4, 4, 1);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageFolderReader.classNames(dir));
    assertTrue(e.getMessage().startsWith(dir + ": no class folders"), e.getMessage());
  }

  @Test
  void missingDirectoryIsAnError() {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageFolderReader.classNames(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("directory not found"), e.getMessage());
  }

  @Test
  void classFolderWithNoImagesIsAnErrorNamingIt() throws Exception {
    TestImages.png(dir.resolve("a/1.png"), 4, 4, 1);
    Files.createDirectories(dir.resolve("b"));
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageFolderReader.read("train", dir, List.of("a", "b"), BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(dir.resolve("b") + ": class folder has no images"),
        e.getMessage());
  }

  @Test
  void emptyImageFileIsSkippedAndCountedWhenSkipping() {
    TestImages.png(dir.resolve("a/1.png"), 4, 4, 1);
    TestImages.write(dir.resolve("a/2.png"), new byte[0]);
    List<String> warnings = new ArrayList<>();
    BadExamples bad = new BadExamples(true, warnings::add);
    Split s = ImageFolderReader.read("train", dir, List.of("a"), bad);
    assertEquals(1, s.size());
    assertEquals(1, bad.count());
    assertTrue(warnings.get(0).contains("2.png"), warnings.get(0));
    assertTrue(warnings.get(0).contains("empty"), warnings.get(0));
  }

  @Test
  void emptyImageFileIsAnErrorByDefault() {
    TestImages.write(dir.resolve("a/2.png"), new byte[0]);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageFolderReader.read("train", dir, List.of("a"), BadExamples.strict()));
    assertTrue(e.getMessage().contains("2.png: image file is empty"), e.getMessage());
    assertTrue(e.getMessage().contains("skip_bad_examples"), e.getMessage());
  }

  @Test
  void splitFolderWithAnUnknownClassIsAnError() {
    TestImages.png(dir.resolve("val/c/1.png"), 4, 4, 1);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ImageFolderReader.read("val", dir.resolve("val"), List.of("a", "b"),
            BadExamples.strict()));
    assertTrue(e.getMessage().contains("class folder 'c' is not a class"), e.getMessage());
  }
}
