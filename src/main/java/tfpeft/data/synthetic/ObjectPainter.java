package tfpeft.data.synthetic;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/**
 * Paints one {@link SceneObject}. A solid object is one antialiased fill. A textured object is
 * painted into a small transparent layer: the outline in the object colour, then the pattern in the
 * darker shade with SrcAtop, so each pixel gets pattern coverage times outline coverage (exact
 * antialiasing on both edges); the layer is then drawn onto the image at an integer offset, which
 * keeps every sub-pixel position. This is several times faster than intersecting the pattern with
 * the outline as {@link java.awt.geom.Area} geometry.
 */
final class ObjectPainter {
  /** Half-extent of the unit-frame square the pattern covers; every unit shape fits inside. */
  private static final double PATTERN_EXTENT = 1.05;
  /** Dot radius as a fraction of the pattern period: about a quarter of the area is dark. */
  private static final double DOT_RADIUS = 0.28;

  private ObjectPainter() {}

  static void paint(Graphics2D g, SceneObject object, int size) {
    AffineTransform toImage = object.unitToImage(size);
    Shape outline = object.shape().outline(toImage);
    Color color = new Color(object.rgb());
    if (object.texture() == FillTexture.SOLID) {
      g.setColor(color);
      g.fill(outline);
      return;
    }
    Rectangle box = outline.getBounds().intersection(new Rectangle(0, 0, size, size));
    if (box.isEmpty()) {
      return;
    }
    BufferedImage layer = new BufferedImage(box.width, box.height, BufferedImage.TYPE_INT_ARGB_PRE);
    Graphics2D lg = layer.createGraphics();
    try {
      SceneRenderer.configure(lg);
      lg.translate(-box.x, -box.y);
      lg.setColor(color);
      lg.fill(outline);
      lg.setComposite(AlphaComposite.SrcAtop);
      lg.setColor(new Color(Rgb.scaled(object.rgb(), FillTexture.SHADE)));
      double unitScale = object.radius() * object.shape().areaScale() * size;
      lg.transform(toImage);
      lg.fill(patternShape(object.texture(), FillTexture.periodPixels(size) / unitScale));
    } finally {
      lg.dispose();
    }
    g.drawImage(layer, box.x, box.y, null);
  }

  /** The dark part of a texture in the unit frame, anchored at the object centre. */
  static Shape patternShape(FillTexture texture, double period) {
    Path2D.Double path = new Path2D.Double(Path2D.WIND_NON_ZERO);
    int steps = (int) Math.ceil(PATTERN_EXTENT / period) + 1;
    double half = period / 2;
    switch (texture) {
      case STRIPED -> {
        for (int j = -steps; j <= steps; j++) {
          path.append(new Rectangle2D.Double(-PATTERN_EXTENT, j * period, 2 * PATTERN_EXTENT, half), false);
        }
      }
      case CHECKERED -> {
        for (int i = -2 * steps; i <= 2 * steps; i++) {
          for (int j = -2 * steps; j <= 2 * steps; j++) {
            if (Math.floorMod(i + j, 2) == 0) {
              path.append(new Rectangle2D.Double(i * half, j * half, half, half), false);
            }
          }
        }
      }
      case DOTTED -> {
        double r = DOT_RADIUS * period;
        for (int j = -steps; j <= steps; j++) {
          double shift = Math.floorMod(j, 2) == 0 ? 0 : half;
          for (int i = -steps; i <= steps; i++) {
            path.append(new Ellipse2D.Double(i * period + shift - r, j * period - r, 2 * r, 2 * r), false);
          }
        }
      }
      case SOLID -> { }
    }
    return path;
  }
}
