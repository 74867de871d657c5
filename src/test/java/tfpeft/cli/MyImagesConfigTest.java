package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;

/** configs/my-images.pbtxt trains on a folder of images as its header says. */
class MyImagesConfigTest {
  @TempDir Path dir;

  @Test
  void theOwnImagesConfigTrainsOnAFolderPerClass() throws Exception {
    SplittableRandom rng = new SplittableRandom(3);
    for (String cls : new String[] {"apple", "pear"}) {
      Path d = Files.createDirectories(dir.resolve("train").resolve(cls));
      for (int i = 0; i < 10; i++) {
        int w = 40 + rng.nextInt(30);
        int h = 40 + rng.nextInt(30);
        byte[] px = new byte[w * h * 3];
        for (int k = 0; k < px.length; k++) {
          px[k] = (byte) (cls.equals("apple") ? 200 - rng.nextInt(40) : rng.nextInt(60));
        }
        byte[] bytes = i % 2 == 0 ? ImageEncoder.png(new RgbImage(w, h, px))
            : ImageEncoder.jpeg(new RgbImage(w, h, px), 0.9f);
        Files.write(d.resolve(i + (i % 2 == 0 ? ".png" : ".jpg")), bytes);
      }
    }
    MainTest.Result r = MainTest.run("train", "--config", "configs/my-images.pbtxt",
        "--set", "data.image_folder.train_dir=" + dir.resolve("train"),
        "--set", "model.weights.path=checkpoints/pretrained/vit-small",
        "--set", "training.epochs=1", "--set", "training.warmup_epochs=0",
        "--set", "eval.every_epochs=1", "--set", "output_dir=" + dir.resolve("runs"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("my-images: test top-1"), r.out());
    assertTrue(Files.isRegularFile(dir.resolve("runs/my-images/report.json")));
  }
}
