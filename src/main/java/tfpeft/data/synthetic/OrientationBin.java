package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * Orientation of a bar's long axis, counter-clockwise from horizontal as seen in the image, in six
 * 30-degree bins centred on 0, 30, ..., 150 degrees. A bar looks the same turned by 180 degrees,
 * so angles are taken modulo 180.
 */
public enum OrientationBin {
  DEG_0("zero degrees"),
  DEG_30("thirty degrees"),
  DEG_60("sixty degrees"),
  DEG_90("ninety degrees"),
  DEG_120("one hundred twenty degrees"),
  DEG_150("one hundred fifty degrees");

  public static final double BIN_WIDTH = 30;
  /**
   * Sampled angles stay this close to the bin centre (the bin is +-15), so a label never sits on a
   * boundary that a few pixels of rasterisation could move.
   */
  public static final double SAMPLE_HALF_WIDTH = 12;

  private final String word;

  OrientationBin(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  public double centerDegrees() {
    return ordinal() * BIN_WIDTH;
  }

  /** An angle in [0, 360) within {@link #SAMPLE_HALF_WIDTH} of the centre, either way up. */
  public double sampleDegrees(SplittableRandom rng) {
    double angle = centerDegrees() + rng.nextDouble(-SAMPLE_HALF_WIDTH, SAMPLE_HALF_WIDTH);
    if (rng.nextBoolean()) {
      angle += 180;
    }
    return ((angle % 360) + 360) % 360;
  }

  /** The bin of an angle in degrees (any value; taken modulo 180). */
  public static OrientationBin of(double degrees) {
    double folded = ((degrees % 180) + 180) % 180;
    int bin = (int) Math.floor((folded + BIN_WIDTH / 2) / BIN_WIDTH) % values().length;
    return values()[bin];
  }
}
