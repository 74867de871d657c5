package tfpeft.data.synthetic;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;

/**
 * The object shapes, defined in a unit frame centred on the origin (y pointing down, as in image
 * coordinates). Every shape is scaled so that a given size radius gives the same area as a circle
 * of that radius: the size attribute then means area whatever the shape, and a size task cannot be
 * solved by recognising the shape. All shapes have their centroid at the origin, so the centre of
 * an object is also the centroid of its pixels.
 */
public enum ShapeKind {
  CIRCLE("circle", "circles", null),
  SQUARE("square", "squares", polygon(-1, -1, 1, -1, 1, 1, -1, 1)),
  TRIANGLE("triangle", "triangles", regular(3, 1, 1, -90)),
  STAR("star", "stars", regular(5, 1, 0.45, -90)),
  HEXAGON("hexagon", "hexagons", regular(6, 1, 1, 0)),
  CROSS("cross", "crosses", cross(0.33)),
  /** Elongated 4:1 rectangle, long axis along x at angle 0; the only shape with an orientation label. */
  BAR("bar", "bars", polygon(-1, -0.25, 1, -0.25, 1, 0.25, -1, 0.25));

  /** Vertex count of the polygon that stands in for the circle in layout geometry. */
  private static final int CIRCLE_VERTICES = 64;

  private final String word;
  private final String plural;
  private final double[] unitPolygon;
  private final double areaScale;

  ShapeKind(String word, String plural, double[] polygon) {
    this.word = word;
    this.plural = plural;
    this.unitPolygon = polygon != null ? polygon : regular(CIRCLE_VERTICES, 1, 1, 0);
    double unitArea = polygon != null ? Math.abs(signedArea(polygon)) : Math.PI;
    this.areaScale = Math.sqrt(Math.PI / unitArea);
  }

  public String word() {
    return word;
  }

  public String plural() {
    return plural;
  }

  /**
   * Factor from size radius to unit-frame scale: the shape scaled by {@code radius * areaScale()}
   * covers {@code PI * radius^2}.
   */
  public double areaScale() {
    return areaScale;
  }

  /** The exact outline (the circle as a true ellipse) mapped through {@code transform}. */
  public Shape outline(AffineTransform transform) {
    Shape unit = this == CIRCLE ? new Ellipse2D.Double(-1, -1, 2, 2) : toPath(unitPolygon);
    return transform.createTransformedShape(unit);
  }

  /** The outline as interleaved x, y vertices mapped through {@code transform}. */
  public double[] polygon(AffineTransform transform) {
    double[] out = new double[unitPolygon.length];
    transform.transform(unitPolygon, 0, out, 0, unitPolygon.length / 2);
    return out;
  }

  private static Path2D toPath(double[] xy) {
    Path2D.Double path = new Path2D.Double();
    path.moveTo(xy[0], xy[1]);
    for (int i = 2; i < xy.length; i += 2) {
      path.lineTo(xy[i], xy[i + 1]);
    }
    path.closePath();
    return path;
  }

  private static double[] polygon(double... xy) {
    return xy;
  }

  /** A star-shaped polygon alternating between two radii; equal radii give a regular polygon. */
  private static double[] regular(int points, double outer, double inner, double startDegrees) {
    boolean star = outer != inner;
    int n = star ? points * 2 : points;
    double[] xy = new double[n * 2];
    for (int i = 0; i < n; i++) {
      double angle = Math.toRadians(startDegrees) + 2 * Math.PI * i / n;
      double r = star && i % 2 == 1 ? inner : outer;
      xy[2 * i] = r * Math.cos(angle);
      xy[2 * i + 1] = r * Math.sin(angle);
    }
    return xy;
  }

  /** A plus sign whose arms reach the unit circle's bounding box, arms {@code 2 * half} wide. */
  private static double[] cross(double half) {
    return polygon(
        -half, -1, half, -1, half, -half, 1, -half, 1, half, half, half,
        half, 1, -half, 1, -half, half, -1, half, -1, -half, -half, -half);
  }

  static double signedArea(double[] xy) {
    double sum = 0;
    int n = xy.length / 2;
    for (int i = 0; i < n; i++) {
      int j = (i + 1) % n;
      sum += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return sum / 2;
  }
}
