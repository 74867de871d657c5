package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeterminismTest {
  @TempDir
  Path temp;

  private Map<String, byte[]> generate(String name, SyntheticOptions options) {
    Path out = temp.resolve(name);
    SyntheticSuite.generate(out, options, ProgressListener.NONE);
    return SuiteFiles.contents(out);
  }

  private static SyntheticOptions.Builder options() {
    return SuiteFiles.small().pretrainCount(150).tasks(List.of("count", "texture", "distance"));
  }

  private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String path : expected.keySet()) {
      assertArrayEquals(expected.get(path), actual.get(path), path);
    }
  }

  @Test
  void sameSeedWritesByteIdenticalFiles() {
    assertSameFiles(generate("a", options().build()), generate("b", options().build()));
  }

  @Test
  void differentSeedWritesDifferentImages() {
    Map<String, byte[]> a = generate("a", options().build());
    Map<String, byte[]> b = generate("b", options().seed(6).build());
    assertEquals(a.keySet(), b.keySet());
    assertFalse(Arrays.equals(a.get("pretrain/images/000000.png"), b.get("pretrain/images/000000.png")));
    assertFalse(Arrays.equals(a.get("tasks/count/train800.txt"), b.get("tasks/count/train800.txt")));
  }

  @Test
  void oneAndTwoThreadsWriteIdenticalFiles() {
    assertSameFiles(generate("one", options().threads(1).build()),
        generate("two", options().threads(2).build()));
  }
}
