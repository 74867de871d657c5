package tfpeft.data.synthetic;

/**
 * Background kinds. The words avoid the object-texture words ("striped", "dotted") so that a
 * caption never uses one word for two attributes.
 */
public enum BackgroundKind {
  /** One dark colour. */
  DARK("dark"),
  /** One light colour. */
  LIGHT("light"),
  /** Vertical gradient between a dark and a light colour (either way up). */
  GRADIENT("gradient"),
  /** Per-pixel grey noise around a mid colour. */
  NOISY("noisy"),
  /** Thin horizontal and vertical lines on a mid colour. */
  GRID("grid"),
  /** Diagonal lines running from bottom left to top right on a mid colour. */
  LINED("lined");

  private final String word;

  BackgroundKind(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }
}
