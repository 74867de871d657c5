package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutTest {
  @Test
  void sixObjectScenesKeepTheGapBetweenObjectsAndTheMarginToTheEdge() {
    SyntheticTask count = SyntheticSuite.task("count").orElseThrow();
    for (int i = 0; i < 200; i++) {
      List<SceneObject> objects = count.sample(5, RngStreams.forItem(4, "layout-test", i)).objects();
      for (int a = 0; a < objects.size(); a++) {
        assertTrue(Outlines.insideImage(objects.get(a).polygon(), Layout.MARGIN - 1e-9));
        for (int b = a + 1; b < objects.size(); b++) {
          assertTrue(Outlines.separated(objects.get(a).polygon(), objects.get(b).polygon(),
              Layout.GAP - 1e-9), "objects " + a + " and " + b + " of scene " + i);
        }
      }
    }
  }

  @Test
  void crossingBarsAreNotSeparatedAlthoughNeitherHasACornerInsideTheOther() {
    SceneObject bar = new SceneObject(ShapeKind.BAR, NamedColor.RED, 0, SizeClass.LARGE, 0.15,
        FillTexture.SOLID, 0.5, 0.5, 0);
    assertFalse(Outlines.separated(bar.polygon(), bar.rotated(90).polygon(), 0));
  }

  @Test
  void anObjectInsideAnotherIsNotSeparated() {
    SceneObject big = new SceneObject(ShapeKind.SQUARE, NamedColor.RED, 0, SizeClass.LARGE, 0.2,
        FillTexture.SOLID, 0.5, 0.5, 0);
    SceneObject small = new SceneObject(ShapeKind.CIRCLE, NamedColor.RED, 0, SizeClass.SMALL, 0.02,
        FillTexture.SOLID, 0.5, 0.5, 0);
    assertFalse(Outlines.separated(big.polygon(), small.polygon(), 0));
    assertFalse(Outlines.separated(small.polygon(), big.polygon(), 0));
  }

  @Test
  void pairScenesPutTheCentresAtADistanceFromTheirBin() {
    SyntheticTask distance = SyntheticSuite.task("distance").orElseThrow();
    for (DistanceBin bin : DistanceBin.values()) {
      for (int i = 0; i < 50; i++) {
        List<SceneObject> pair = distance.sample(bin.ordinal(),
            RngStreams.forItem(4, "pair-test", bin.ordinal() * 1000L + i)).objects();
        double d = Math.hypot(pair.get(0).x() - pair.get(1).x(), pair.get(0).y() - pair.get(1).y());
        assertTrue(d >= bin.min() && d <= bin.max(), bin + " distance " + d);
      }
    }
  }
}
