package tfpeft.data.synthetic;

/**
 * A scene background. Everything random about it is drawn when the scene is sampled and stored
 * here (the noise as a seed), so rendering is a pure function of the scene.
 *
 * @param kind the kind (the label)
 * @param base the main colour; the top colour of a gradient
 * @param accent line colour of grid and lined backgrounds; the bottom colour of a gradient
 * @param phase offset of the line pattern as a fraction of its spacing, in [0, 1)
 * @param noiseSeed seed of the per-pixel noise of a noisy background
 */
public record Background(BackgroundKind kind, int base, int accent, double phase, long noiseSeed) {

  /** A single-colour background of the given kind, used by tests to read objects off the pixels. */
  public static Background plain(BackgroundKind kind, int rgb) {
    return new Background(kind, rgb, rgb, 0, 0);
  }
}
