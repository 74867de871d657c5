package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tfpeft.data.image.RgbImage;

class SceneRendererTest {
  private static final int PLAIN_RGB = 0x202428;

  private static Scene pretrainScene(long index) {
    return PretrainSampler.sample(RngStreams.forItem(3, "renderer-test", index)).scene();
  }

  @Test
  void sameSceneRendersByteIdenticalPixelsOnAnyThread() throws Exception {
    for (long i = 0; i < 20; i++) {
      Scene scene = pretrainScene(i);
      RgbImage here = SceneRenderer.renderRgb(scene, 64);
      RgbImage elsewhere = CompletableFuture.supplyAsync(() -> SceneRenderer.renderRgb(scene, 64)).get();
      assertArrayEquals(here.pixels(), elsewhere.pixels(), "scene " + i);
    }
  }

  @Test
  void rendersSquareImagesAtSmallDefaultAndLargeSizes() {
    Scene scene = pretrainScene(0);
    for (int size : new int[] {32, 64, 224}) {
      RgbImage image = SceneRenderer.renderRgb(scene, size);
      assertEquals(size, image.width());
      assertEquals(size, image.height());
    }
  }

  @Test
  void convertsTheBgrRasterToRgbOrder() {
    SceneObject red = new SceneObject(ShapeKind.SQUARE, NamedColor.RED, 0xDC2828, SizeClass.LARGE,
        SizeClass.LARGE.radius(), FillTexture.SOLID, 0.5, 0.5, 0);
    RgbImage image = SceneRenderer.renderRgb(
        new Scene(Background.plain(BackgroundKind.DARK, PLAIN_RGB), List.of(red)), 64);
    assertEquals(0xDC, image.get(32, 32, 0));
    assertEquals(0x28, image.get(32, 32, 1));
    assertEquals(0x28, image.get(32, 32, 2));
    assertEquals(0x20, image.get(0, 0, 0));
    assertEquals(0x28, image.get(0, 0, 2));
  }

  @Test
  void objectsNeverReachTheImageBorder() {
    SyntheticTask count = SyntheticSuite.task("count").orElseThrow();
    Background plain = Background.plain(BackgroundKind.DARK, PLAIN_RGB);
    for (int i = 0; i < 30; i++) {
      Scene scene = count.sample(5, RngStreams.forItem(3, "border-test", i)).withBackground(plain);
      RgbImage image = SceneRenderer.renderRgb(scene, 64);
      boolean[] mask = PixelAnalysis.foreground(image, PLAIN_RGB);
      for (int k = 0; k < 64; k++) {
        assertTrue(!mask[k] && !mask[63 * 64 + k] && !mask[k * 64] && !mask[k * 64 + 63],
            "object on the border of scene " + i);
      }
    }
  }

  @Test
  void rejectsImagesSmallerThanTheMinimumSize() {
    assertThrows(IllegalArgumentException.class,
        () -> SceneRenderer.render(pretrainScene(0), SceneRenderer.MIN_SIZE - 1));
  }
}
