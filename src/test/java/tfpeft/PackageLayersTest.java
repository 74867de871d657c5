package tfpeft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of the code base, checked on the sources: a package uses only the layers below it.
 * Methods (peft) sit on the model and data layers and know nothing of how runs are trained,
 * exported, inspected or driven from the command line, so a new method is one package.
 */
class PackageLayersTest {
  private static final Path MAIN = Path.of("src/main/java/tfpeft");

  /** For each top-level package, the top-level packages it must not use. */
  private static final Map<String, Set<String>> FORBIDDEN = Map.ofEntries(
      Map.entry("util", Set.of("config", "data", "model", "graph", "peft", "train", "export",
          "inspect", "report", "suite", "api", "cli")),
      Map.entry("graph", Set.of("data", "model", "peft", "train", "export", "inspect", "report",
          "suite", "api", "cli")),
      Map.entry("data", Set.of("model", "peft", "train", "export", "inspect", "report", "suite",
          "api", "cli")),
      Map.entry("model", Set.of("peft", "train", "export", "inspect", "report", "suite", "api",
          "cli")),
      Map.entry("peft", Set.of("train", "export", "inspect", "report", "suite", "api", "cli")),
      Map.entry("train", Set.of("export", "inspect", "report", "suite", "api", "cli")),
      Map.entry("export", Set.of("inspect", "report", "suite", "api", "cli")),
      Map.entry("inspect", Set.of("report", "suite", "api", "cli")),
      Map.entry("report", Set.of("suite", "api", "cli")),
      Map.entry("suite", Set.of("api", "cli")),
      Map.entry("api", Set.of("cli")));

  private static final Pattern USE = Pattern.compile("\\btfpeft\\.([a-z]+)\\.");

  @Test
  void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String layer = MAIN.relativize(f).getName(0).toString();
        Set<String> forbidden = FORBIDDEN.getOrDefault(layer, Set.of());
        String code = withoutComments(Files.readString(f));
        Set<String> used = new TreeSet<>();
        Matcher m = USE.matcher(code);
        while (m.find()) {
          if (forbidden.contains(m.group(1))) {
            used.add(m.group(1));
          }
        }
        if (!used.isEmpty()) {
          violations.add(MAIN.relativize(f) + " uses " + used);
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void theCheckSeesAForbiddenUse() {
    String code = withoutComments("import tfpeft.train.RunDirectory; // tfpeft.cli.Main\n"
        + "/* tfpeft.inspect.Inventory */ class X {}");
    Matcher m = USE.matcher(code);
    assertTrue(m.find());
    assertEquals("train", m.group(1));
    assertTrue(!m.find(), "comments are not uses");
  }

  /** The source without its comments (string literals kept: they never name a class here). */
  static String withoutComments(String s) {
    return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
  }
}
