package tfpeft.data.synthetic;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/**
 * Paints a {@link Background}. Plain colours, gradients and noise are written straight into the
 * BGR raster (exact, and row-constant where they should be); line patterns go through Java2D with
 * antialiasing so they look the same at every resolution.
 */
final class BackgroundPainter {
  /** Spacing of grid lines, fraction of the image side. */
  static final double GRID_SPACING = 0.125;
  /** Perpendicular spacing of diagonal lines, fraction of the image side. */
  static final double LINE_SPACING = 0.1;
  /** Width of grid and diagonal lines, fraction of the image side (at least one pixel). */
  static final double LINE_WIDTH = 0.02;
  /** Half-range of the per-pixel grey offset of a noisy background. */
  static final int NOISE_AMPLITUDE = 40;

  private BackgroundPainter() {}

  static void paint(BufferedImage image, Graphics2D g, Background background) {
    int size = image.getWidth();
    byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    switch (background.kind()) {
      case DARK, LIGHT -> fillRows(bgr, size, 0, size, background.base());
      case GRADIENT -> {
        for (int y = 0; y < size; y++) {
          double t = (y + 0.5) / size;
          fillRows(bgr, size, y, y + 1, Rgb.mix(background.base(), background.accent(), t));
        }
      }
      case NOISY -> paintNoise(bgr, size, background);
      case GRID -> {
        fillRows(bgr, size, 0, size, background.base());
        paintGrid(g, size, background);
      }
      case LINED -> {
        fillRows(bgr, size, 0, size, background.base());
        paintDiagonals(g, size, background);
      }
    }
  }

  private static void fillRows(byte[] bgr, int size, int fromRow, int toRow, int rgb) {
    byte r = (byte) Rgb.red(rgb);
    byte gr = (byte) Rgb.green(rgb);
    byte b = (byte) Rgb.blue(rgb);
    for (int i = fromRow * size * 3; i < toRow * size * 3; i += 3) {
      bgr[i] = b;
      bgr[i + 1] = gr;
      bgr[i + 2] = r;
    }
  }

  private static void paintNoise(byte[] bgr, int size, Background background) {
    SplittableRandom rng = new SplittableRandom(background.noiseSeed());
    int base = background.base();
    for (int i = 0; i < size * size * 3; i += 3) {
      // Sum of two uniforms: a triangular offset, heavier in the middle like real sensor noise.
      int offset = rng.nextInt(NOISE_AMPLITUDE + 1) + rng.nextInt(NOISE_AMPLITUDE + 1) - NOISE_AMPLITUDE;
      bgr[i] = (byte) Rgb.clamp(Rgb.blue(base) + offset);
      bgr[i + 1] = (byte) Rgb.clamp(Rgb.green(base) + offset);
      bgr[i + 2] = (byte) Rgb.clamp(Rgb.red(base) + offset);
    }
  }

  private static double lineWidth(int size) {
    return Math.max(1.0, LINE_WIDTH * size);
  }

  private static void paintGrid(Graphics2D g, int size, Background background) {
    g.setColor(new Color(background.accent()));
    double spacing = GRID_SPACING * size;
    double width = lineWidth(size);
    for (double p = background.phase() * spacing - spacing; p < size + spacing; p += spacing) {
      g.fill(new Rectangle2D.Double(p - width / 2, 0, width, size));
      g.fill(new Rectangle2D.Double(0, p - width / 2, size, width));
    }
  }

  /** Bands along x + y = c, i.e. running from bottom left to top right. */
  private static void paintDiagonals(Graphics2D g, int size, Background background) {
    g.setColor(new Color(background.accent()));
    double root2 = Math.sqrt(2);
    double spacing = LINE_SPACING * size * root2;
    double width = lineWidth(size) * root2;
    Path2D.Double bands = new Path2D.Double();
    for (double c = background.phase() * spacing - spacing; c < 2 * size + spacing; c += spacing) {
      bands.moveTo(c, 0);
      bands.lineTo(c + width, 0);
      bands.lineTo(c + width - 2 * size, 2 * size);
      bands.lineTo(c - 2 * size, 2 * size);
      bands.closePath();
    }
    g.fill(bands);
  }
}
