package tfpeft.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Draws the random parts of scenes: backgrounds, objects, and whole scenes of one, several or a
 * pair of objects. Task samplers and the pretraining sampler fix the attribute they label and draw
 * everything else here, so the nuisance factors are the same everywhere.
 */
final class RandomScenes {
  /** Whole-scene redraws before concluding that a request cannot be met (a bug, not bad luck). */
  private static final int REDRAWS = 100;

  private RandomScenes() {}

  @SafeVarargs
  static <E> E pick(SplittableRandom rng, E... values) {
    return values[rng.nextInt(values.length)];
  }

  static Background background(SplittableRandom rng) {
    return background(rng, pick(rng, BackgroundKind.values()));
  }

  static Background background(SplittableRandom rng, BackgroundKind kind) {
    return switch (kind) {
      case DARK -> new Background(kind, color(rng, 12, 40), 0, 0, 0);
      case LIGHT -> new Background(kind, color(rng, 190, 225), 0, 0, 0);
      case GRADIENT -> {
        // Every channel differs by at least 40 between the ends, so the gradient is always visible.
        int dark = color(rng, 20, 100);
        int light = color(rng, 140, 220);
        yield rng.nextBoolean()
            ? new Background(kind, dark, light, 0, 0)
            : new Background(kind, light, dark, 0, 0);
      }
      case NOISY -> new Background(kind, color(rng, 70, 170), 0, 0, rng.nextLong());
      case GRID, LINED -> {
        int base = color(rng, 60, 150);
        int accent = rng.nextBoolean() ? Rgb.scaled(base, 0.4) : Rgb.mix(base, 0xFFFFFF, 0.55);
        yield new Background(kind, base, accent, rng.nextDouble(), 0);
      }
    };
  }

  private static int color(SplittableRandom rng, int min, int max) {
    return Rgb.pack(rng.nextInt(min, max + 1), rng.nextInt(min, max + 1), rng.nextInt(min, max + 1));
  }

  /**
   * An object (not yet placed) with the given attributes and a random rotation: bars get an angle
   * near the centre of a random orientation bin, other shapes any angle.
   */
  static SceneObject object(
      SplittableRandom rng, ShapeKind shape, NamedColor color, SizeClass size, FillTexture texture) {
    double angle = shape == ShapeKind.BAR
        ? pick(rng, OrientationBin.values()).sampleDegrees(rng)
        : rng.nextDouble(360);
    return new SceneObject(shape, color, color.jittered(rng), size, size.sampleRadius(rng), texture,
        0.5, 0.5, angle);
  }

  /** An object with every attribute random, its size drawn from {@code sizes}. */
  static SceneObject anyObject(SplittableRandom rng, SizeClass... sizes) {
    return object(rng, pick(rng, ShapeKind.values()), pick(rng, NamedColor.values()),
        pick(rng, sizes), pick(rng, FillTexture.values()));
  }

  /** Sizes that leave room for {@code count} objects at the layout gap. */
  static SizeClass[] sizesForCount(int count) {
    return count >= 4
        ? new SizeClass[] {SizeClass.SMALL}
        : new SizeClass[] {SizeClass.SMALL, SizeClass.MEDIUM};
  }

  /** One drawn object, anywhere or (if {@code cell} is not null) centred in that cell. */
  static Scene single(
      SplittableRandom rng, Background background, Supplier<SceneObject> draw, GridCell cell) {
    for (int i = 0; i < REDRAWS; i++) {
      SceneObject object = draw.get();
      SceneObject placed = cell == null
          ? Layout.placeAnywhere(rng, object)
          : Layout.placeInCell(rng, object, cell);
      if (placed != null) {
        return new Scene(background, List.of(placed));
      }
    }
    throw new IllegalStateException("cannot place a single object" + (cell == null ? "" : " in " + cell));
  }

  /** {@code count} drawn objects that do not touch. */
  static Scene apart(SplittableRandom rng, Background background, int count, Supplier<SceneObject> draw) {
    for (int i = 0; i < REDRAWS; i++) {
      List<SceneObject> objects = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        objects.add(draw.get());
      }
      List<SceneObject> placed = Layout.placeApart(rng, objects);
      if (placed != null) {
        return new Scene(background, placed);
      }
    }
    throw new IllegalStateException("cannot place " + count + " objects apart");
  }

  /** Two drawn objects whose centres are a distance from {@code bin} apart. */
  static Scene pair(
      SplittableRandom rng, Background background, DistanceBin bin, Supplier<SceneObject> draw) {
    for (int i = 0; i < REDRAWS; i++) {
      List<SceneObject> placed = Layout.placePair(rng, draw.get(), draw.get(), bin);
      if (placed != null) {
        return new Scene(background, placed);
      }
    }
    throw new IllegalStateException("cannot place two objects " + bin.word());
  }
}
