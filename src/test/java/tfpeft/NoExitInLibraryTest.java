package tfpeft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Library code never ends the JVM: a program that embeds tfpeft (the {@code tfpeft.api} entry
 * points) gets exceptions; only the command line's {@code main} turns them into an exit code.
 */
class NoExitInLibraryTest {
  private static final Path MAIN = Path.of("src/main/java/tfpeft");
  private static final Path LAUNCHER = MAIN.resolve("cli/Main.java");

  @Test
  void onlyTheCommandLineLauncherCallsSystemExit() throws IOException {
    List<String> callers = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String code = PackageLayersTest.withoutComments(Files.readString(f));
        if (!f.equals(LAUNCHER) && (code.contains("System.exit(")
            || code.contains("Runtime.getRuntime().exit(")
            || code.contains("Runtime.getRuntime().halt("))) {
          callers.add(MAIN.relativize(f).toString());
        }
      }
    }
    assertEquals(List.of(), callers);
  }
}
