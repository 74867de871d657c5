package tfpeft.data.synthetic;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import tfpeft.data.image.RgbImage;

/**
 * Renders a {@link Scene} with Java2D's software pipeline. The output is a pure function of the
 * scene and the size (no shared state, no randomness), so the same scene always gives the same
 * bytes whatever thread renders it.
 */
public final class SceneRenderer {
  /** Smallest supported image side; below this the shapes are a few pixels and unrecognisable. */
  public static final int MIN_SIZE = 16;

  private SceneRenderer() {}

  /** The scene as a square {@code TYPE_3BYTE_BGR} image of side {@code size}. */
  public static BufferedImage render(Scene scene, int size) {
    if (size < MIN_SIZE) {
      throw new IllegalArgumentException("image size must be at least " + MIN_SIZE + ", got " + size);
    }
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    try {
      configure(g);
      BackgroundPainter.paint(image, g, scene.background());
      for (SceneObject object : scene.objects()) {
        ObjectPainter.paint(g, object, size);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The rendering settings every layer of a scene is drawn with. */
  static void configure(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    // Pure stroke control keeps geometry at its exact sub-pixel position instead of snapping it.
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
  }

  /** The scene as an {@link RgbImage}. */
  public static RgbImage renderRgb(Scene scene, int size) {
    return toRgbImage(render(scene, size));
  }

  /** Copies a {@code TYPE_3BYTE_BGR} image into RGB order. */
  public static RgbImage toRgbImage(BufferedImage image) {
    if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
      throw new IllegalArgumentException("expected a TYPE_3BYTE_BGR image, got type " + image.getType());
    }
    byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    byte[] rgb = new byte[bgr.length];
    for (int i = 0; i < bgr.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 1] = bgr[i + 1];
      rgb[i + 2] = bgr[i];
    }
    return new RgbImage(image.getWidth(), image.getHeight(), rgb);
  }
}
