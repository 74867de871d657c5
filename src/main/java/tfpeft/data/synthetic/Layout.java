package tfpeft.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Places objects by rejection sampling on their exact outline polygons: every object stays
 * {@link #MARGIN} inside the image and {@link #GAP} away from every other object, so objects never
 * touch and a pixel-level count of blobs equals the object count. Methods return null when the
 * attempts run out; callers then draw new objects and try again.
 */
final class Layout {
  /** Smallest distance from an object to the image edge, fraction of the side. */
  static final double MARGIN = 0.02;
  /** Smallest distance between two objects, fraction of the side (2.5 pixels at 64). */
  static final double GAP = 0.04;
  /** Centres of position-labelled objects keep this far from the cell borders. */
  static final double CELL_MARGIN = 0.03;
  /** Candidate positions tried per object before giving up. */
  static final int ATTEMPTS = 200;

  private Layout() {}

  /** The object at a uniformly random centre where it fits, or null if it fits nowhere. */
  static SceneObject placeAnywhere(SplittableRandom rng, SceneObject object) {
    return placeWithin(rng, object, 0, 0, 1, 1);
  }

  /** The object centred somewhere in {@code cell} (away from its borders), or null. */
  static SceneObject placeInCell(SplittableRandom rng, SceneObject object, GridCell cell) {
    double x0 = cell.column() / 3.0 + CELL_MARGIN;
    double y0 = cell.row() / 3.0 + CELL_MARGIN;
    return placeWithin(rng, object, x0, y0, (cell.column() + 1) / 3.0 - CELL_MARGIN,
        (cell.row() + 1) / 3.0 - CELL_MARGIN);
  }

  private static SceneObject placeWithin(
      SplittableRandom rng, SceneObject object, double x0, double y0, double x1, double y1) {
    double[] b = Outlines.bounds(object.at(0, 0).polygon());
    double loX = Math.max(x0, MARGIN - b[0]);
    double hiX = Math.min(x1, 1 - MARGIN - b[2]);
    double loY = Math.max(y0, MARGIN - b[1]);
    double hiY = Math.min(y1, 1 - MARGIN - b[3]);
    if (loX >= hiX || loY >= hiY) {
      return null;
    }
    return object.at(rng.nextDouble(loX, hiX), rng.nextDouble(loY, hiY));
  }

  /** The objects at random non-touching positions, or null. */
  static List<SceneObject> placeApart(SplittableRandom rng, List<SceneObject> objects) {
    List<SceneObject> placed = new ArrayList<>();
    List<double[]> outlines = new ArrayList<>();
    for (SceneObject object : objects) {
      SceneObject accepted = null;
      for (int attempt = 0; attempt < ATTEMPTS && accepted == null; attempt++) {
        SceneObject candidate = placeAnywhere(rng, object);
        if (candidate == null) {
          return null;
        }
        double[] outline = candidate.polygon();
        if (clearOf(outline, outlines)) {
          accepted = candidate;
          outlines.add(outline);
        }
      }
      if (accepted == null) {
        return null;
      }
      placed.add(accepted);
    }
    return placed;
  }

  /** The two objects with centres a distance from {@code bin} apart, or null. */
  static List<SceneObject> placePair(
      SplittableRandom rng, SceneObject a, SceneObject b, DistanceBin bin) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      SceneObject first = placeAnywhere(rng, a);
      if (first == null) {
        return null;
      }
      double distance = bin.sample(rng);
      double direction = rng.nextDouble(2 * Math.PI);
      SceneObject second = b.at(
          first.x() + distance * Math.cos(direction), first.y() + distance * Math.sin(direction));
      double[] outline = second.polygon();
      if (Outlines.insideImage(outline, MARGIN)
          && Outlines.separated(first.polygon(), outline, GAP)) {
        return List.of(first, second);
      }
    }
    return null;
  }

  private static boolean clearOf(double[] outline, List<double[]> others) {
    for (double[] other : others) {
      if (!Outlines.separated(outline, other, GAP)) {
        return false;
      }
    }
    return true;
  }
}
