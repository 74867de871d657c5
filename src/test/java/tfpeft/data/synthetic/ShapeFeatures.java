package tfpeft.data.synthetic;

import java.util.EnumMap;
import java.util.Map;

/**
 * Recognises a shape from its silhouette by two scale- and rotation-free numbers: solidity (area
 * over convex-hull area) and fill (area over the circle through the farthest point). The reference
 * values are worked out by hand from the shape definitions, not measured from renders.
 */
final class ShapeFeatures {
  private static final Map<ShapeKind, double[]> IDEAL = new EnumMap<>(ShapeKind.class);

  static {
    // {solidity, fill}
    IDEAL.put(ShapeKind.CIRCLE, new double[] {1, 1});
    IDEAL.put(ShapeKind.SQUARE, new double[] {1, 4 / (Math.PI * 2)});
    IDEAL.put(ShapeKind.TRIANGLE, new double[] {1, 3 * Math.sqrt(3) / 4 / Math.PI});
    double starArea = 5 * 0.45 * Math.sin(Math.toRadians(36));
    double pentagonArea = 2.5 * Math.sin(Math.toRadians(72));
    IDEAL.put(ShapeKind.STAR, new double[] {starArea / pentagonArea, starArea / Math.PI});
    IDEAL.put(ShapeKind.HEXAGON, new double[] {1, 1.5 * Math.sqrt(3) / Math.PI});
    double crossArea = 2 * (2 * 0.66) - 0.66 * 0.66;
    double crossHull = 4 - 2 * 0.67 * 0.67;
    IDEAL.put(ShapeKind.CROSS,
        new double[] {crossArea / crossHull, crossArea / (Math.PI * (1 + 0.33 * 0.33))});
    IDEAL.put(ShapeKind.BAR, new double[] {1, 1 / (Math.PI * (1 + 0.25 * 0.25))});
  }

  private ShapeFeatures() {}

  static double solidity(PixelAnalysis.Blob blob) {
    return blob.area() / blob.hullArea();
  }

  static double fill(PixelAnalysis.Blob blob) {
    double r = blob.maxRadius();
    return blob.area() / (Math.PI * r * r);
  }

  static ShapeKind classify(PixelAnalysis.Blob blob) {
    double solidity = solidity(blob);
    double fill = fill(blob);
    ShapeKind best = null;
    double bestDistance = Double.MAX_VALUE;
    for (Map.Entry<ShapeKind, double[]> e : IDEAL.entrySet()) {
      double d = Math.hypot(solidity - e.getValue()[0], fill - e.getValue()[1]);
      if (d < bestDistance) {
        bestDistance = d;
        best = e.getKey();
      }
    }
    return best;
  }

  static String describe(PixelAnalysis.Blob blob) {
    return String.format("solidity %.3f fill %.3f", solidity(blob), fill(blob));
  }
}
