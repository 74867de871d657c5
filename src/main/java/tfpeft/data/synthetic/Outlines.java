package tfpeft.data.synthetic;

/**
 * Geometry on outline polygons (interleaved x, y vertices in image-side fractions): bounds,
 * containment and the gap between two objects. Layout uses exact polygons rather than bounding
 * circles so that stars and bars can sit as close as their real outlines allow.
 */
final class Outlines {
  private Outlines() {}

  /** {minX, minY, maxX, maxY}. */
  static double[] bounds(double[] poly) {
    double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    for (int i = 0; i < poly.length; i += 2) {
      b[0] = Math.min(b[0], poly[i]);
      b[1] = Math.min(b[1], poly[i + 1]);
      b[2] = Math.max(b[2], poly[i]);
      b[3] = Math.max(b[3], poly[i + 1]);
    }
    return b;
  }

  /** Whether the polygon lies inside the unit square shrunk by {@code margin} on every side. */
  static boolean insideImage(double[] poly, double margin) {
    double[] b = bounds(poly);
    return b[0] >= margin && b[1] >= margin && b[2] <= 1 - margin && b[3] <= 1 - margin;
  }

  /** Whether the two polygons are at least {@code gap} apart (so neither touches nor contains the other). */
  static boolean separated(double[] a, double[] b, double gap) {
    double[] ba = bounds(a);
    double[] bb = bounds(b);
    if (ba[0] - bb[2] >= gap || bb[0] - ba[2] >= gap || ba[1] - bb[3] >= gap || bb[1] - ba[3] >= gap) {
      return true;
    }
    if (edgesCross(a, b) || contains(a, b[0], b[1]) || contains(b, a[0], a[1])) {
      return false;
    }
    return minVertexDistance(a, b) >= gap && minVertexDistance(b, a) >= gap;
  }

  /** Even-odd point-in-polygon test. */
  static boolean contains(double[] poly, double x, double y) {
    boolean inside = false;
    int n = poly.length / 2;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double xi = poly[2 * i];
      double yi = poly[2 * i + 1];
      double xj = poly[2 * j];
      double yj = poly[2 * j + 1];
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  private static boolean edgesCross(double[] a, double[] b) {
    int na = a.length / 2;
    int nb = b.length / 2;
    for (int i = 0; i < na; i++) {
      int i2 = (i + 1) % na;
      for (int j = 0; j < nb; j++) {
        int j2 = (j + 1) % nb;
        if (segmentsCross(a[2 * i], a[2 * i + 1], a[2 * i2], a[2 * i2 + 1],
            b[2 * j], b[2 * j + 1], b[2 * j2], b[2 * j2 + 1])) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean segmentsCross(
      double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy) {
    double d1 = cross(cx, cy, dx, dy, ax, ay);
    double d2 = cross(cx, cy, dx, dy, bx, by);
    double d3 = cross(ax, ay, bx, by, cx, cy);
    double d4 = cross(ax, ay, bx, by, dx, dy);
    return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
  }

  private static double cross(double ox, double oy, double ax, double ay, double bx, double by) {
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
  }

  /** Smallest distance from a vertex of {@code from} to an edge of {@code to}. */
  private static double minVertexDistance(double[] from, double[] to) {
    double best = Double.MAX_VALUE;
    int n = to.length / 2;
    for (int v = 0; v < from.length; v += 2) {
      for (int j = 0; j < n; j++) {
        int j2 = (j + 1) % n;
        best = Math.min(best, pointSegmentDistance(from[v], from[v + 1],
            to[2 * j], to[2 * j + 1], to[2 * j2], to[2 * j2 + 1]));
      }
    }
    return best;
  }

  static double pointSegmentDistance(double px, double py, double ax, double ay, double bx, double by) {
    double vx = bx - ax;
    double vy = by - ay;
    double lengthSquared = vx * vx + vy * vy;
    double t = lengthSquared == 0 ? 0 : ((px - ax) * vx + (py - ay) * vy) / lengthSquared;
    t = Math.max(0, Math.min(1, t));
    double dx = px - (ax + t * vx);
    double dy = py - (ay + t * vy);
    return Math.sqrt(dx * dx + dy * dy);
  }
}
