package tfpeft.data.image;

import java.util.List;
import java.util.SplittableRandom;

/** Applies transforms in order, all drawing from the same random stream (torchvision Compose). */
public final class Compose implements ImageTransform {
  private final List<ImageTransform> steps;

  public Compose(List<ImageTransform> steps) {
    this.steps = List.copyOf(steps);
  }

  public static Compose of(ImageTransform... steps) {
    return new Compose(List.of(steps));
  }

  public List<ImageTransform> steps() {
    return steps;
  }

  @Override
  public RgbImage apply(RgbImage image, SplittableRandom rng) {
    RgbImage out = image;
    for (ImageTransform step : steps) {
      out = step.apply(out, rng);
    }
    return out;
  }

  @Override
  public String toString() {
    return "Compose" + steps;
  }
}
