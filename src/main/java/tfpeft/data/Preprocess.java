package tfpeft.data;

import java.util.SplittableRandom;
import tfpeft.data.image.RgbImage;

/**
 * Turns a decoded image into the model's input: geometric transforms and augmentation in uint8,
 * then normalization into floats (HWC) at {@code offset} of {@code dst}.
 */
public interface Preprocess {
  int height();

  int width();

  void apply(RgbImage image, SplittableRandom rng, float[] dst, int offset);
}
