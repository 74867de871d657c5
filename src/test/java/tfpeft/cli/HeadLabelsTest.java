package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.export.ServingExport;

/**
 * The class names a Hugging Face head carries (config.json's id2label) travel with it: predict
 * prints them, import keeps them in the backbone directory, export serves them.
 */
class HeadLabelsTest {
  static final Path HF = Path.of("src/test/resources/fixtures/models/vit/hf_cls");
  static final List<String> NAMES = List.of("bird", "cat", "deer", "dog", "frog");

  @TempDir Path dir;
  Path model;

  /** The fixture's ViTForImageClassification with id2label set to {@code names}. */
  Path withLabels(String name, List<String> names) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    Files.copy(HF.resolve("model.safetensors"), out.resolve("model.safetensors"));
    JsonObject config = JsonParser.parseString(Files.readString(HF.resolve("config.json")))
        .getAsJsonObject();
    JsonObject id2label = new JsonObject();
    for (int i = 0; i < names.size(); i++) {
      id2label.addProperty(Integer.toString(i), names.get(i));
    }
    config.add("id2label", id2label);
    Files.writeString(out.resolve("config.json"), config.toString());
    return out;
  }

  @BeforeEach
  void model() throws Exception {
    model = withLabels("hf", NAMES);
  }

  private static List<String> topNames(MainTest.Result r) {
    List<String> names = new java.util.ArrayList<>();
    for (String line : r.out().lines().toList()) {
      JsonArray top = JsonParser.parseString(line).getAsJsonObject().getAsJsonArray("top");
      names.add(top.get(0).getAsJsonObject().get("name").getAsString());
    }
    return names;
  }

  @Test
  void predictPrintsTheHeadsOwnNames() {
    MainTest.Result r = MainTest.run("predict", "--weights", model.toString(), "--json",
        PredictCommandTest.IMAGES.toString());
    assertEquals(0, r.code(), r.err());
    List<String> top = topNames(r);
    assertFalse(top.isEmpty());
    assertTrue(NAMES.containsAll(top), top.toString());
  }

  @Test
  void importKeepsTheNamesAndExportServesThem() throws Exception {
    Path imported = dir.resolve("imported");
    MainTest.Result i = MainTest.run("import", model.toString(), "--out", imported.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("head: 5 classes, kept, named 5 (bird, cat, deer, dog, frog)"),
        i.out());
    assertEquals(NAMES, Files.readAllLines(imported.resolve("class_names.txt")));

    MainTest.Result p = MainTest.run("predict", "--weights", imported.toString(), "--json",
        PredictCommandTest.IMAGES.toString());
    assertEquals(0, p.code(), p.err());
    assertTrue(NAMES.containsAll(topNames(p)), p.out());

    Path served = dir.resolve("served");
    MainTest.Result e = MainTest.run("export", "--weights", imported.toString(), "--out",
        served.toString());
    assertEquals(0, e.code(), e.err());
    assertEquals(NAMES, ServingExport.classNames(served));
  }

  @Test
  void huggingFacesPlaceholderLabelsAreNoNames() throws Exception {
    Path generic = withLabels("generic", List.of("LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3",
        "LABEL_4"));
    Path imported = dir.resolve("imported-generic");
    MainTest.Result i = MainTest.run("import", generic.toString(), "--out",
        imported.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("no class names come with it"), i.out());
    assertFalse(Files.exists(imported.resolve("class_names.txt")));
  }

  @Test
  void aClassNamesFileFarTooLargeIsRefusedUnread() throws Exception {
    Path imported = dir.resolve("imported-big");
    assertEquals(0, MainTest.run("import", model.toString(), "--out", imported.toString())
        .code());
    Files.write(imported.resolve("class_names.txt"), new byte[2 << 20]);
    MainTest.Result r = MainTest.run("predict", "--weights", imported.toString(),
        PredictCommandTest.IMAGES.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("is not a list of names"), r.err());
  }

  @Test
  void namesThatDoNotCoverTheHeadAreRefusedByKey() throws Exception {
    Path short4 = withLabels("short", NAMES.subList(0, 4));
    MainTest.Result r = MainTest.run("import", short4.toString(), "--out",
        dir.resolve("x").toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("\"id2label\" has no name for class 4 of the head's 5"),
        r.err());
  }
}
