package tfpeft.data.synthetic;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;

/**
 * Paints one {@link SceneObject}: the outline filled with the object colour, then the texture
 * pattern intersected with the outline as geometry (not as a clip, which Java2D does not
 * antialias) and filled with the darker shade.
 */
final class ObjectPainter {
  /** Half-extent of the unit-frame square the pattern covers; every unit shape fits inside. */
  private static final double PATTERN_EXTENT = 1.05;
  /** Dot radius as a fraction of the pattern period: about a quarter of the area is dark. */
  private static final double DOT_RADIUS = 0.28;

  private ObjectPainter() {}

  static void paint(Graphics2D g, SceneObject object, int size) {
    AffineTransform toImage = object.unitToImage(size);
    g.setColor(new Color(object.rgb()));
    g.fill(object.shape().outline(toImage));
    if (object.texture() == FillTexture.SOLID) {
      return;
    }
    double unitScale = object.radius() * object.shape().areaScale() * size;
    double period = FillTexture.periodPixels(size) / unitScale;
    Area pattern = new Area(patternShape(object.texture(), period));
    pattern.intersect(new Area(object.shape().outline(new AffineTransform())));
    pattern.transform(toImage);
    g.setColor(new Color(Rgb.scaled(object.rgb(), FillTexture.SHADE)));
    g.fill(pattern);
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
