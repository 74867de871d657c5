package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of one small generated suite: layout, formats, and agreement between them. */
class SuiteLayoutTest {
  @TempDir
  static Path temp;
  static Path out;
  static GenerationSummary summary;

  @BeforeAll
  static void generate() {
    out = temp.resolve("suite");
    summary = SyntheticSuite.generate(out, SuiteFiles.small().build(), ProgressListener.NONE);
  }

  private static JsonObject json(Path file) {
    return JsonParser.parseString(SuiteFiles.text(file)).getAsJsonObject();
  }

  private static List<String> strings(JsonElement array) {
    List<String> out = new ArrayList<>();
    array.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
    return out;
  }

  @Test
  void pretrainIndexHasAHeaderAPathAColumnPerAttributeAndACaption() {
    List<String> lines = SuiteFiles.lines(out.resolve("pretrain/index.tsv"));
    assertEquals(41, lines.size());
    List<String> header = List.of(lines.get(0).split("\t"));
    assertEquals("image", header.get(0));
    assertEquals("caption", header.get(header.size() - 1));
    for (Attribute a : Attribute.values()) {
      assertEquals(a.key(), header.get(1 + a.ordinal()));
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split("\t");
      assertEquals(header.size(), cells.length, lines.get(i));
      assertEquals(String.format("images/%06d.png", i - 1), cells[0]);
      assertTrue(Files.isRegularFile(out.resolve("pretrain").resolve(cells[0])));
      for (Attribute a : Attribute.values()) {
        int label = Integer.parseInt(cells[1 + a.ordinal()]);
        assertTrue(label >= -1 && label < a.classNames().size(), lines.get(i));
      }
    }
  }

  @Test
  void attributesJsonListsEachAttributesClassNamesInLabelOrder() {
    JsonObject attributes = json(out.resolve("pretrain/attributes.json"));
    assertEquals(Attribute.values().length, attributes.size());
    for (Attribute a : Attribute.values()) {
      assertEquals(a.classNames(), strings(attributes.get(a.key())));
    }
  }

  @Test
  void vtabListsCoopSplitAndClassNamesAgree() {
    for (SyntheticTask task : SyntheticSuite.tasks()) {
      Path dir = out.resolve("tasks").resolve(task.name());
      List<String> classNames = SuiteFiles.lines(dir.resolve("classnames.txt"));
      assertEquals(task.classNames(), classNames);
      JsonObject coop = json(dir.resolve("split_zhou_" + task.camelName() + ".json"));
      List<String> train = SuiteFiles.lines(dir.resolve("train800.txt"));
      List<String> val = SuiteFiles.lines(dir.resolve("val200.txt"));
      List<String> trainVal = new ArrayList<>(train);
      trainVal.addAll(val);
      assertEquals(trainVal, SuiteFiles.lines(dir.resolve("train800val200.txt")));
      assertSameEntries(train, coop.getAsJsonArray("train"), classNames, dir);
      assertSameEntries(val, coop.getAsJsonArray("val"), classNames, dir);
      assertSameEntries(SuiteFiles.lines(dir.resolve("test.txt")), coop.getAsJsonArray("test"),
          classNames, dir);
    }
  }

  private static void assertSameEntries(
      List<String> lines, JsonArray coop, List<String> classNames, Path dir) {
    assertEquals(lines.size(), coop.size());
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" ");
      JsonArray entry = coop.get(i).getAsJsonArray();
      assertEquals(parts[0], entry.get(0).getAsString());
      int label = Integer.parseInt(parts[1]);
      assertEquals(label, entry.get(1).getAsInt());
      assertEquals(classNames.get(label), entry.get(2).getAsString());
      assertTrue(Files.isRegularFile(dir.resolve(parts[0])), parts[0]);
    }
  }

  @Test
  void everyListIsClassBalancedToWithinOne() {
    for (SyntheticTask task : SyntheticSuite.tasks()) {
      Path dir = out.resolve("tasks").resolve(task.name());
      for (String list : List.of("train800.txt", "val200.txt", "train800val200.txt", "test.txt")) {
        int[] counts = new int[task.numClasses()];
        for (String line : SuiteFiles.lines(dir.resolve(list))) {
          counts[Integer.parseInt(line.split(" ")[1])]++;
        }
        int spread = Arrays.stream(counts).max().orElseThrow() - Arrays.stream(counts).min().orElseThrow();
        assertTrue(spread <= 1, task.name() + " " + list + " " + Arrays.toString(counts));
      }
    }
  }

  @Test
  void taskJsonAndSuiteJsonDescribeTheTasksAsDefined() {
    JsonObject suite = json(out.resolve("suite.json"));
    assertEquals(SyntheticSuite.VERSION, suite.get("version").getAsInt());
    assertEquals(5, suite.get("seed").getAsLong());
    assertEquals(40, suite.getAsJsonObject("pretrain").get("images").getAsInt());
    JsonArray tasks = suite.getAsJsonArray("tasks");
    assertEquals(SyntheticSuite.tasks().size(), tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      SyntheticTask task = SyntheticSuite.tasks().get(i);
      JsonObject listed = tasks.get(i).getAsJsonObject();
      assertEquals(task.name(), listed.get("name").getAsString());
      assertEquals(task.group().word(), listed.get("group").getAsString());
      assertEquals(task.numClasses(), listed.get("numClasses").getAsInt());
      assertEquals(18, listed.get("train").getAsInt());
      assertEquals(9, listed.get("val").getAsInt());
      assertEquals(10, listed.get("test").getAsInt());
      JsonObject taskJson = json(out.resolve(listed.get("path").getAsString()).resolve("task.json"));
      assertEquals(task.name(), taskJson.get("name").getAsString());
      assertEquals(task.classNames(), strings(taskJson.get("classnames")));
      assertEquals(task.templates(), strings(taskJson.get("templates")));
      assertEquals(10, taskJson.getAsJsonObject("counts").get("test").getAsInt());
    }
  }

  @Test
  void imagesArePngsOfTheRequestedSize() throws IOException {
    for (String path : List.of("pretrain/images/000000.png", "tasks/count/images/test_00009.png")) {
      BufferedImage image = ImageIO.read(out.resolve(path).toFile());
      assertEquals(32, image.getWidth(), path);
      assertEquals(32, image.getHeight(), path);
    }
  }

  @Test
  void summaryCountsWhatWasWritten() {
    assertEquals(out.toAbsolutePath().normalize(), summary.out());
    assertEquals(40 + 9 * 37, summary.images());
    assertEquals(SuiteFiles.contents(out).size(), summary.files());
  }
}
