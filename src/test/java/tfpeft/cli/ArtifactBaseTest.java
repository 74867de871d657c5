package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.export.AdapterArtifact;
import tfpeft.train.TinyRuns;

/**
 * An adapter artifact finds its base from any working directory, and says to pass --weights
 * where the base is not at the recorded path; export never generates data to check on.
 */
class ArtifactBaseTest {
  @TempDir static Path dir;
  static Path base;
  static Path artifact;

  @BeforeAll
  static void trainOnACopyOfTheBaseAndExportTheArtifact() throws Exception {
    base = dir.resolve("base.npz");
    Files.copy(Path.of("src/test/resources/fixtures/models/vit/google.npz"), base);
    // the base as a path relative to the working directory, as configs usually give it
    Path relative = Path.of("").toAbsolutePath().relativize(base);
    Path config = dir.resolve("lora.pbtxt");
    Files.writeString(config, """
        name: "lora"
        output_dir: "%s"
        model { vit {} weights { path: "%s" } }
        data { synthetic { dir: "%s" task: "shape" image_size: 16 } }
        method { lora { rank: 2 } }
        training { epochs: 1 batch_size: 16 }
        eval { every_epochs: 0 }
        """.formatted(dir.resolve("runs"), relative, TinyRuns.suite()));
    MainTest.Result t = MainTest.run("train", "--config", config.toString());
    assertEquals(0, t.code(), t.err());
    artifact = dir.resolve("adapter");
    MainTest.Result a = MainTest.run("export", dir.resolve("runs/lora").toString(),
        "--adapter", artifact.toString());
    assertEquals(0, a.code(), a.err());
  }

  @Test
  void theArtifactRecordsItsBaseAsAnAbsolutePath() throws Exception {
    JsonObject manifest = JsonParser.parseString(
        Files.readString(artifact.resolve(AdapterArtifact.MANIFEST))).getAsJsonObject();
    String weights = manifest.getAsJsonObject("base").get("weights").getAsString();
    assertTrue(Path.of(weights).isAbsolute(), weights);
    assertEquals(base.toAbsolutePath().normalize().toString(), weights);
  }

  @Test
  void aBaseThatMovedIsNamedWithWhatToPass() throws Exception {
    Path moved = dir.resolve("moved.npz");
    Files.move(base, moved);
    try {
      MainTest.Result r = MainTest.run("export", "--adapter", artifact.toString(), "--out",
          dir.resolve("served-missing").toString());
      assertEquals(2, r.code(), r.out());
      assertTrue(r.err().contains("is not at " + base.toAbsolutePath().normalize()), r.err());
      assertTrue(r.err().contains("pass --weights PATH"), r.err());
      assertFalse(r.err().contains("tfpeft import"), r.err());
      MainTest.Result ok = MainTest.run("export", "--adapter", artifact.toString(), "--weights",
          moved.toString(), "--out", dir.resolve("served-moved").toString());
      assertEquals(0, ok.code(), ok.err());
    } finally {
      Files.move(moved, base);
    }
  }

  @Test
  void exportChecksOnRandomImagesRatherThanGenerateASyntheticSuite() throws Exception {
    Path suite = dir.resolve("no-suite-here");
    String text = Files.readString(dir.resolve("runs/lora/config.pbtxt"));
    Path run = dir.resolve("runs-elsewhere/lora");
    Files.createDirectories(run.getParent());
    // the same run, its config pointing at a synthetic directory that does not exist
    copyTree(dir.resolve("runs/lora"), run);
    Files.writeString(run.resolve("config.pbtxt"), text.replace(TinyRuns.suite().toString(),
        suite.toString()));
    MainTest.Result r = MainTest.run("export", run.toString(), "--out",
        dir.resolve("served-nodata").toString());
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(suite), "export generated the synthetic suite");
    assertTrue(r.err().contains("export does not generate it"), r.err());
    assertTrue(r.err().contains("checking on deterministic random images"), r.err());
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(q);
        } else if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(q, Files.readSymbolicLink(p));
        } else {
          Files.copy(p, q);
        }
      }
    }
  }
}
