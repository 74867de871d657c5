package tfpeft.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.ImageFolderSource;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;

/**
 * The library's entry points as a program embedding tfpeft uses them, and nothing else: a run
 * trained from a RunConfig built in code, its adapter written, and both the run and the artifact
 * on its base opened for prediction on float images and on image files.
 */
class LibraryApiTest {
  @TempDir static Path dir;
  static Training.Result trained;
  static Path adapter;
  static List<Path> files = new ArrayList<>();

  /** Reddish and bluish 16x16 squares with noise: a two-class image folder. */
  @BeforeAll
  static void trainOnAnImageFolder() throws IOException {
    SplittableRandom rng = new SplittableRandom(1);
    for (String split : List.of("train", "test")) {
      for (String cls : List.of("red", "blue")) {
        Path d = Files.createDirectories(dir.resolve("images").resolve(split).resolve(cls));
        for (int i = 0; i < (split.equals("train") ? 8 : 2); i++) {
          BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
          for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
              int hi = 150 + rng.nextInt(100);
              int lo = rng.nextInt(100);
              img.setRGB(x, y, cls.equals("red") ? (hi << 16) | (lo << 8) | lo
                  : (lo << 16) | (lo << 8) | hi);
            }
          }
          Path f = d.resolve(i + ".png");
          ImageIO.write(img, "png", f.toFile());
          if (split.equals("test")) {
            files.add(f);
          }
        }
      }
    }
    RunConfig config = RunConfig.newBuilder().setName("api-lora").setOutputDir(dir.toString())
        .setSeed(3)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(16)
            .setPatchSize(4).setWidth(16).setDepth(1).setHeads(2).setMlpRatio(2)))
        .setData(DataConfig.newBuilder().setImageFolder(ImageFolderSource.newBuilder()
            .setTrainDir(dir.resolve("images/train").toString())
            .setTestDir(dir.resolve("images/test").toString())))
        .setMethod(MethodConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2)))
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(8)
            .setLearningRate(1e-2f))
        .build();
    trained = Training.run(config);
    adapter = Training.writeAdapter(trained.runDirectory(), "last", dir.resolve("adapter"));
  }

  @Test
  void trainingFromACodeBuiltConfigWritesARunWithItsTestAccuracy() {
    assertEquals(dir.resolve("api-lora"), trained.runDirectory());
    assertTrue(Files.isRegularFile(trained.runDirectory().resolve("report.json")));
    assertTrue(trained.testTop1() >= 0 && trained.testTop1() <= 1, "" + trained.testTop1());
  }

  @Test
  void theArtifactOnItsBasePredictsAsTheRunsCheckpoint() {
    try (Predictor run = Predictor.ofRun(trained.runDirectory(), "last");
        Predictor art = Predictor.ofArtifact(adapter)) {
      assertEquals(List.of("blue", "red"), art.classNames());
      assertEquals(run.classNames(), art.classNames());
      float[] px = run.pixels(files);
      float[][] want = run.logits(px, files.size());
      float[][] got = art.logits(px, files.size());
      for (int i = 0; i < want.length; i++) {
        assertArrayEquals(want[i], got[i], 1e-5f);
      }
    }
  }

  @Test
  void predictingFilesGivesTheMostProbableClassOfTheirLogits() {
    try (Predictor art = Predictor.ofArtifact(adapter)) {
      List<Predictor.Prediction> p = art.predict(files);
      float[][] logits = art.logits(art.pixels(files), files.size());
      assertEquals(files.size(), p.size());
      for (int i = 0; i < p.size(); i++) {
        int best = logits[i][0] >= logits[i][1] ? 0 : 1;
        assertEquals(best, p.get(i).classId());
        assertEquals(art.classNames().get(best), p.get(i).className());
        double e = Math.exp(logits[i][1 - best] - logits[i][best]);
        assertEquals(1 / (1 + e), p.get(i).probability(), 1e-6);
      }
    }
  }

  @Test
  void aConfigErrorNamesTheFieldAndEndsNoJvm() {
    RunConfig bad = RunConfig.newBuilder().setName("bad").setOutputDir(dir.toString())
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(16)
            .setPatchSize(5)))
        .build();
    TfpeftException e = assertThrows(TfpeftException.class, () -> Training.run(bad));
    assertTrue(e.getMessage().contains("RunConfig built in code"), e.getMessage());
  }

  @Test
  void imagesOfTheWrongSizeAreRefusedSayingWhatFits() {
    try (Predictor art = Predictor.ofArtifact(adapter)) {
      TfpeftException e = assertThrows(TfpeftException.class,
          () -> art.logits(new float[10], 1));
      assertTrue(e.getMessage().contains("16x16x3 take 768 floats, got 10"), e.getMessage());
    }
  }
}
