package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.image.ImageEncoder;
import tfpeft.model.weights.NpyReader;
import tfpeft.train.TinyRuns;

/**
 * {@code predict --run RUN} and {@code predict --adapter ART}: a trained model's predictions
 * without exporting it, the same as predicting with its exported SavedModel.
 */
class PredictTrainedTest {
  @TempDir static Path dir;
  static Path run;
  static Path artifact;
  static List<String> images = new ArrayList<>();

  @BeforeAll
  static void trainAndWriteImages() throws IOException {
    RunConfig c = TinyRuns.vit(dir, "lora", MethodConfig.newBuilder().setLora(
        LoraConfig.newBuilder().setRank(2)).build(), 2).build();
    Path config = dir.resolve("lora.pbtxt");
    Files.writeString(config, TextFormat.printer().printToString(c));
    ok("train", "--config", config.toString());
    run = dir.resolve("lora");
    artifact = dir.resolve("lora-adapter");
    ok("export", run.toString(), "--adapter", artifact.toString());
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 3; i++) {
      Path f = dir.resolve("image" + i + ".png");
      Files.write(f, ImageEncoder.png(ExportCommand.sample(24, 24 + i, rng)));
      images.add(f.toString());
    }
  }

  private static MainTest.Result ok(String... args) {
    MainTest.Result r = MainTest.run(args);
    assertEquals(0, r.code(), r.err());
    return r;
  }

  /** Runs predict with {@code model} on the images, returning the logits it wrote. */
  private static float[] logits(String name, String... model) {
    Path out = dir.resolve(name + ".npy");
    List<String> args = new ArrayList<>(List.of("predict"));
    args.addAll(List.of(model));
    args.addAll(images);
    args.addAll(List.of("--out", out.toString()));
    ok(args.toArray(String[]::new));
    return NpyReader.read(out).data();
  }

  @Test
  void aRunPredictsAsItsExportedSavedModel() {
    Path served = dir.resolve("served-run");
    ok("export", run.toString(), "--checkpoint", "best", "--out", served.toString());
    assertArrayEquals(logits("saved-run", "--weights", served.toString()),
        logits("run", "--run", run.toString(), "--checkpoint", "best"), 1e-5f);
  }

  @Test
  void anArtifactOnItsBasePredictsAsItsExportedSavedModel() {
    Path served = dir.resolve("served-artifact");
    ok("export", "--adapter", artifact.toString(), "--out", served.toString());
    assertArrayEquals(logits("saved-artifact", "--weights", served.toString()),
        logits("artifact", "--adapter", artifact.toString()), 1e-5f);
  }

  @Test
  void predictionsNameTheRunsClasses() {
    List<String> classes = new tfpeft.train.RunDirectory(run).reportedClasses();
    MainTest.Result r = ok(concat(List.of("predict", "--run", run.toString(), "--top-k", "1"),
        images));
    List<String> lines = r.out().lines().toList();
    assertEquals(images.size(), lines.size(), r.out());
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" +");
      assertEquals(images.get(i) + ":", parts[0]);
      assertTrue(classes.contains(parts[1]), parts[1] + " of " + classes);
    }
  }

  @Test
  void optionsThatDoNotApplyAreRefused() {
    MainTest.Result w = MainTest.run(concat(List.of("predict", "--run", run.toString(),
        "--weights", "x"), images));
    assertEquals(2, w.code(), w.err());
    assertTrue(w.err().contains("--weights does not apply to predict --run"), w.err());
    MainTest.Result b = MainTest.run(concat(List.of("predict", "--run", run.toString(),
        "--adapter", artifact.toString()), images));
    assertEquals(2, b.code(), b.err());
    assertTrue(b.err().contains("give --run RUN_DIR or --adapter ART, not both"), b.err());
    MainTest.Result c = MainTest.run(concat(List.of("predict", "--adapter",
        artifact.toString(), "--checkpoint", "best"), images));
    assertEquals(2, c.code(), c.err());
    assertTrue(c.err().contains("--checkpoint does not apply to predict --adapter"), c.err());
  }

  @Test
  void aMissingRunIsRefusedNamingIt() {
    MainTest.Result r = MainTest.run(concat(List.of("predict", "--run",
        dir.resolve("nowhere").toString()), images));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(dir.resolve("nowhere").toString()), r.err());
  }

  private static String[] concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all.toArray(String[]::new);
  }
}
