package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * Object size as an area-equivalent radius, a fraction of the image side. Neighbouring classes
 * differ by a factor of about 1.45 in radius (2.1 in area), far more than the jitter, so the
 * classes never overlap.
 */
public enum SizeClass {
  SMALL("small", 0.09),
  MEDIUM("medium", 0.13),
  LARGE("large", 0.185);

  /** Relative jitter of the radius around the class value. */
  public static final double JITTER = 0.08;

  private final String word;
  private final double radius;

  SizeClass(String word, double radius) {
    this.word = word;
    this.radius = radius;
  }

  public String word() {
    return word;
  }

  /** The nominal area-equivalent radius as a fraction of the image side. */
  public double radius() {
    return radius;
  }

  /** A radius within {@link #JITTER} of the nominal one. */
  public double sampleRadius(SplittableRandom rng) {
    return radius * (1 + rng.nextDouble(-JITTER, JITTER));
  }
}
