package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * Distance between the centres of two objects as a fraction of the image side. The bins leave gaps
 * between them so that neighbouring classes are never a pixel apart.
 */
public enum DistanceBin {
  CLOSE("close together", 0.24, 0.32),
  APART("apart", 0.42, 0.52),
  FAR("far apart", 0.64, 0.82);

  private final String word;
  private final double min;
  private final double max;

  DistanceBin(String word, double min, double max) {
    this.word = word;
    this.min = min;
    this.max = max;
  }

  public String word() {
    return word;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double sample(SplittableRandom rng) {
    return rng.nextDouble(min, max);
  }
}
