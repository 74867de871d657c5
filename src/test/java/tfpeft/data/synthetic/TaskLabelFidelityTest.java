package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.data.image.RgbImage;

/**
 * Every task's label can be read back from the rendered pixels. Scenes come from the task samplers
 * with all their nuisance (shape, colour, texture, rotation, position); only the background is
 * swapped for a plain one so objects can be segmented, except in the background task.
 */
class TaskLabelFidelityTest {
  private static final int PLAIN_RGB = 0x181818;
  private static final Background PLAIN = Background.plain(BackgroundKind.DARK, PLAIN_RGB);
  private static final int PER_CLASS = 6;

  private record Sample(int label, Scene scene) {}

  private static List<Sample> samples(String taskName) {
    SyntheticTask task = SyntheticSuite.task(taskName).orElseThrow();
    List<Sample> samples = new ArrayList<>();
    for (int label = 0; label < task.numClasses(); label++) {
      for (int k = 0; k < PER_CLASS; k++) {
        Scene scene = task.sample(label, RngStreams.forItem(11, "fidelity/" + taskName, label * 1000L + k));
        samples.add(new Sample(label, scene));
      }
    }
    return samples;
  }

  private static RgbImage onPlain(Scene scene, int size) {
    return SceneRenderer.renderRgb(scene.withBackground(PLAIN), size);
  }

  private static PixelAnalysis.Blob singleBlob(RgbImage image, Sample s) {
    List<PixelAnalysis.Blob> blobs =
        PixelAnalysis.blobs(PixelAnalysis.foreground(image, PLAIN_RGB), image.width(), 3);
    assertEquals(1, blobs.size(), "one object expected in " + s);
    return blobs.get(0);
  }

  @Test
  void countLabelEqualsNumberOfConnectedObjects() {
    for (Sample s : samples("count")) {
      RgbImage image = onPlain(s.scene(), 64);
      int blobs = PixelAnalysis.blobs(PixelAnalysis.foreground(image, PLAIN_RGB), 64, 3).size();
      assertEquals(s.label() + 1, blobs, "blob count of " + s);
    }
  }

  @Test
  void positionLabelIsTheGridCellHoldingTheCentroid() {
    for (Sample s : samples("position")) {
      PixelAnalysis.Blob blob = singleBlob(onPlain(s.scene(), 64), s);
      GridCell cell = GridCell.of(blob.centroidX() / 64, blob.centroidY() / 64);
      assertEquals(GridCell.values()[s.label()], cell, "cell of " + s);
    }
  }

  @Test
  void colorLabelIsTheNamedColorNearestTheObjectsBrightPixels() {
    for (Sample s : samples("color")) {
      RgbImage image = onPlain(s.scene(), 64);
      boolean[] interior = PixelAnalysis.erode(PixelAnalysis.foreground(image, PLAIN_RGB), 64, 1);
      int[] rgbs = new int[interior.length];
      int n = 0;
      for (int p = 0; p < interior.length; p++) {
        if (interior[p]) {
          rgbs[n++] = PixelAnalysis.rgbAt(image, p);
        }
      }
      // The brightest quarter is the object colour itself, not the darker texture shade.
      int[] sorted = Arrays.stream(rgbs, 0, n).boxed()
          .sorted((a, b) -> Integer.compare(brightness(b), brightness(a)))
          .mapToInt(Integer::intValue).toArray();
      int top = Math.max(1, n / 4);
      long r = 0;
      long g = 0;
      long b = 0;
      for (int i = 0; i < top; i++) {
        r += Rgb.red(sorted[i]);
        g += Rgb.green(sorted[i]);
        b += Rgb.blue(sorted[i]);
      }
      int mean = Rgb.pack((int) (r / top), (int) (g / top), (int) (b / top));
      assertEquals(NamedColor.values()[s.label()], NamedColor.nearest(mean), "colour of " + s);
    }
  }

  private static int brightness(int rgb) {
    return Rgb.red(rgb) + Rgb.green(rgb) + Rgb.blue(rgb);
  }

  @Test
  void orientationLabelIsTheBinOfTheBarsPrincipalAxis() {
    for (Sample s : samples("orientation")) {
      PixelAnalysis.Blob blob = singleBlob(onPlain(s.scene(), 64), s);
      double angle = blob.principalAngleDegrees();
      assertEquals(OrientationBin.values()[s.label()], OrientationBin.of(angle),
          "principal axis " + angle + " of " + s);
    }
  }

  @Test
  void sizeLabelIsTheClassWhoseNominalAreaIsNearestTheObjectArea() {
    int size = 128;
    for (Sample s : samples("size")) {
      PixelAnalysis.Blob blob = singleBlob(onPlain(s.scene(), size), s);
      double area = (double) blob.area() / (size * size);
      SizeClass nearest = null;
      double best = Double.MAX_VALUE;
      for (SizeClass c : SizeClass.values()) {
        double d = Math.abs(Math.log(area / (Math.PI * c.radius() * c.radius())));
        if (d < best) {
          best = d;
          nearest = c;
        }
      }
      assertEquals(SizeClass.values()[s.label()], nearest, "area " + area + " of " + s);
    }
  }

  @Test
  void distanceLabelIsTheBinOfTheDistanceBetweenTheTwoCentroids() {
    int size = 128;
    for (Sample s : samples("distance")) {
      RgbImage image = onPlain(s.scene(), size);
      List<PixelAnalysis.Blob> blobs =
          PixelAnalysis.blobs(PixelAnalysis.foreground(image, PLAIN_RGB), size, 3);
      assertEquals(2, blobs.size(), "two objects expected in " + s);
      double d = Math.hypot(blobs.get(0).centroidX() - blobs.get(1).centroidX(),
          blobs.get(0).centroidY() - blobs.get(1).centroidY()) / size;
      DistanceBin bin = DistanceBin.values()[s.label()];
      assertTrue(d >= bin.min() - 0.01 && d <= bin.max() + 0.01,
          "distance " + d + " outside " + bin + " in " + s);
    }
  }

  @Test
  void shapeLabelMatchesTheSilhouettesSolidityAndFill() {
    int size = 224;
    for (Sample s : samples("shape")) {
      PixelAnalysis.Blob blob = singleBlob(onPlain(s.scene(), size), s);
      ShapeKind read = ShapeFeatures.classify(blob);
      assertEquals(ShapeKind.values()[s.label()], read, ShapeFeatures.describe(blob) + " of " + s);
    }
  }

  @Test
  void textureLabelMatchesTheShadePatternInsideTheObject() {
    int size = 128;
    for (Sample s : samples("texture")) {
      RgbImage image = onPlain(s.scene(), size);
      FillTexture read = TextureFeatures.classify(image, s.scene().first(), PLAIN_RGB);
      assertEquals(FillTexture.values()[s.label()], read,
          TextureFeatures.describe(image, s.scene().first(), PLAIN_RGB) + " of " + s);
    }
  }

  @Test
  void backgroundLabelMatchesThePixelsAroundTheObject() {
    for (Sample s : samples("background")) {
      RgbImage image = SceneRenderer.renderRgb(s.scene(), 64);
      BackgroundKind read = BackgroundFeatures.classify(image, s.scene().first());
      assertEquals(BackgroundKind.values()[s.label()], read, "background of " + s);
    }
  }
}
