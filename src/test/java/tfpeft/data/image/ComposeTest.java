package tfpeft.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ComposeTest {
  @Test
  void appliesStepsInOrder() {
    RgbImage image = Images.numbered(6, 3);
    Compose cropThenFlip = Compose.of(new CenterCrop(3, 1), new HorizontalFlip(1.0));
    // centre crop 6x3 -> 3x1 is row 1, columns 2..4 (13, 14, 15); then mirrored
    assertEquals(Images.gray(new int[][] {{15, 14, 13}}),
        cropThenFlip.apply(image, new SplittableRandom(0)));
  }

  @Test
  void resizeInAPipelineGivesTheFixedSize() {
    Compose pipeline = Compose.of(new Resize(224, 224, Interpolation.BICUBIC));
    RgbImage out = pipeline.apply(ResamplerTest.randomImage(50, 37, 2), new SplittableRandom(0));
    assertEquals(224, out.width());
    assertEquals(224, out.height());
  }
}
