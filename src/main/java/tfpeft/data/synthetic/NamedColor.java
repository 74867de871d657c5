package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * The eight object colours. Each has a reference RGB chosen so that every pair stays far apart
 * (nearest pair, orange and yellow, about 80 apart in RGB) even after the per-object jitter, so a
 * colour label is recoverable from the pixels.
 */
public enum NamedColor {
  RED("red", 220, 40, 40),
  GREEN("green", 40, 180, 60),
  BLUE("blue", 40, 80, 225),
  YELLOW("yellow", 240, 220, 40),
  PURPLE("purple", 150, 60, 210),
  ORANGE("orange", 245, 140, 30),
  WHITE("white", 245, 245, 245),
  CYAN("cyan", 40, 205, 215);

  /** Largest per-channel offset added to the reference RGB of one object. */
  public static final int JITTER = 12;

  private final String word;
  private final int red;
  private final int green;
  private final int blue;

  NamedColor(String word, int red, int green, int blue) {
    this.word = word;
    this.red = red;
    this.green = green;
    this.blue = blue;
  }

  /** The class name and caption word. */
  public String word() {
    return word;
  }

  /** The reference colour as 0xRRGGBB. */
  public int rgb() {
    return Rgb.pack(red, green, blue);
  }

  /** The reference colour with each channel moved by up to {@link #JITTER}. */
  public int jittered(SplittableRandom rng) {
    return Rgb.pack(
        Rgb.clamp(red + rng.nextInt(-JITTER, JITTER + 1)),
        Rgb.clamp(green + rng.nextInt(-JITTER, JITTER + 1)),
        Rgb.clamp(blue + rng.nextInt(-JITTER, JITTER + 1)));
  }

  /** The named colour whose reference RGB is nearest (Euclidean) to {@code rgb}. */
  public static NamedColor nearest(int rgb) {
    NamedColor best = RED;
    long bestDistance = Long.MAX_VALUE;
    for (NamedColor c : values()) {
      long d = Rgb.squaredDistance(rgb, c.rgb());
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best;
  }
}
