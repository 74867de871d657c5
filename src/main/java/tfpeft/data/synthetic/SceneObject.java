package tfpeft.data.synthetic;

import java.awt.Shape;
import java.awt.geom.AffineTransform;

/**
 * One object of a scene. Positions and radii are fractions of the image side, so one scene renders
 * the same picture at any resolution.
 *
 * @param shape the shape
 * @param color the colour name (the label)
 * @param rgb the jittered colour actually drawn, 0xRRGGBB
 * @param size the size class (the label)
 * @param radius the area-equivalent radius actually drawn, fraction of the image side
 * @param texture the interior fill
 * @param x centre, fraction of the image width from the left
 * @param y centre, fraction of the image height from the top
 * @param angleDegrees rotation counter-clockwise as seen in the image
 */
public record SceneObject(
    ShapeKind shape,
    NamedColor color,
    int rgb,
    SizeClass size,
    double radius,
    FillTexture texture,
    double x,
    double y,
    double angleDegrees) {

  /** The same object centred at (x, y). */
  public SceneObject at(double newX, double newY) {
    return new SceneObject(shape, color, rgb, size, radius, texture, newX, newY, angleDegrees);
  }

  /** The same object turned to {@code degrees}. */
  public SceneObject rotated(double degrees) {
    return new SceneObject(shape, color, rgb, size, radius, texture, x, y, degrees);
  }

  /** The same object with another fill. */
  public SceneObject withTexture(FillTexture newTexture) {
    return new SceneObject(shape, color, rgb, size, radius, newTexture, x, y, angleDegrees);
  }

  /** The 3x3 cell holding the centre. */
  public GridCell cell() {
    return GridCell.of(x, y);
  }

  /** The orientation bin of the rotation (meaningful for bars). */
  public OrientationBin orientation() {
    return OrientationBin.of(angleDegrees);
  }

  /**
   * Map from the shape's unit frame to pixels of an image of side {@code side}. Image y points
   * down, so a counter-clockwise turn as seen is a negative rotation in this frame.
   */
  public AffineTransform unitToImage(double side) {
    AffineTransform t = new AffineTransform();
    t.translate(x * side, y * side);
    t.rotate(-Math.toRadians(angleDegrees));
    double scale = radius * shape.areaScale() * side;
    t.scale(scale, scale);
    return t;
  }

  /** The exact outline in pixels of an image of side {@code side}. */
  public Shape outline(double side) {
    return shape.outline(unitToImage(side));
  }

  /** The outline polygon in image-side fractions, as interleaved x, y vertices. */
  public double[] polygon() {
    return shape.polygon(unitToImage(1));
  }
}
