package tfpeft.data.synthetic;

/**
 * How an object's interior is filled. Patterns are drawn in the object's own frame (they turn with
 * it) in a darker shade of the object colour, so the colour stays recognisable and the object stays
 * one connected blob. Stripes and checks cover half the interior, dots about a quarter.
 */
public enum FillTexture {
  SOLID("solid"),
  /** Horizontal stripes in the object frame. */
  STRIPED("striped"),
  CHECKERED("checkered"),
  DOTTED("dotted");

  /** Brightness factor of the pattern shade relative to the object colour. */
  public static final double SHADE = 0.45;
  /** Pattern period as a fraction of the image side. */
  public static final double PERIOD = 0.08;
  /** Smallest pattern period in pixels, so patterns stay visible in small renders. */
  public static final double MIN_PERIOD_PIXELS = 4;

  private final String word;

  FillTexture(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  /** Pattern period in pixels for an image of side {@code size}. */
  public static double periodPixels(int size) {
    return Math.max(MIN_PERIOD_PIXELS, PERIOD * size);
  }
}
