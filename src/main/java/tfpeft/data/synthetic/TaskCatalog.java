package tfpeft.data.synthetic;

import static tfpeft.data.synthetic.RandomScenes.pick;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The downstream task suite. Each sampler fixes its own attribute from the label and draws every
 * other attribute at random, so a model has to read the labelled attribute and ignore the rest.
 * Some samplers narrow a nuisance where the labelled attribute would otherwise be unreadable or
 * unplaceable (textures on small objects, large objects in corner cells, six large objects).
 */
final class TaskCatalog {
  /** Shapes for pair scenes: compact ones, so centre distance is what separates the objects. */
  static final ShapeKind[] COMPACT_SHAPES = Arrays.stream(ShapeKind.values())
      .filter(s -> s != ShapeKind.BAR)
      .toArray(ShapeKind[]::new);

  private static final List<SyntheticTask> TASKS = List.of(
      task("shape", TaskGroup.APPEARANCE, Attribute.SHAPE,
          List.of("a photo of a {}.", "a photo of a {} shape."),
          (label, rng) -> single(rng, () -> RandomScenes.object(rng, ShapeKind.values()[label],
              pick(rng, NamedColor.values()), pick(rng, SizeClass.values()),
              pick(rng, FillTexture.values())))),
      task("color", TaskGroup.APPEARANCE, Attribute.COLOR,
          List.of("a photo of the {} object.", "a photo of the {} shape."),
          (label, rng) -> single(rng, () -> RandomScenes.object(rng, pick(rng, ShapeKind.values()),
              NamedColor.values()[label], pick(rng, SizeClass.values()),
              pick(rng, FillTexture.values())))),
      task("size", TaskGroup.APPEARANCE, Attribute.SIZE,
          List.of("a photo of a {} object.", "a photo of a {} shape."),
          (label, rng) -> single(rng, () -> RandomScenes.object(rng, pick(rng, ShapeKind.values()),
              pick(rng, NamedColor.values()), SizeClass.values()[label],
              pick(rng, FillTexture.values())))),
      task("texture", TaskGroup.TEXTURE, Attribute.TEXTURE,
          List.of("a photo of a {} object.", "a photo of a {} shape."),
          // Small objects hold barely two pattern periods; medium and large show the pattern.
          (label, rng) -> single(rng, () -> RandomScenes.object(rng, pick(rng, ShapeKind.values()),
              pick(rng, NamedColor.values()), pick(rng, SizeClass.MEDIUM, SizeClass.LARGE),
              FillTexture.values()[label]))),
      task("background", TaskGroup.TEXTURE, Attribute.BACKGROUND,
          List.of("a photo of an object on a {} background.", "a photo of a shape on a {} background."),
          (label, rng) -> RandomScenes.single(rng,
              RandomScenes.background(rng, BackgroundKind.values()[label]),
              () -> RandomScenes.anyObject(rng, SizeClass.values()), null)),
      task("count", TaskGroup.STRUCTURE, Attribute.COUNT,
          List.of("a photo of {} objects.", "a photo of {} shapes."),
          (label, rng) -> RandomScenes.apart(rng, RandomScenes.background(rng), label + 1,
              () -> RandomScenes.anyObject(rng, RandomScenes.sizesForCount(label + 1)))),
      task("position", TaskGroup.STRUCTURE, Attribute.POSITION,
          List.of("a photo of an object in the {}.", "a photo of a shape in the {} of the image."),
          // Large objects do not fit with their centre in a corner cell.
          (label, rng) -> RandomScenes.single(rng, RandomScenes.background(rng),
              () -> RandomScenes.anyObject(rng, SizeClass.SMALL, SizeClass.MEDIUM),
              GridCell.values()[label])),
      task("orientation", TaskGroup.STRUCTURE, Attribute.ORIENTATION,
          List.of("a photo of a bar rotated {}.", "a photo of a bar at {}."),
          (label, rng) -> single(rng, () -> RandomScenes.object(rng, ShapeKind.BAR,
                  pick(rng, NamedColor.values()), pick(rng, SizeClass.MEDIUM, SizeClass.LARGE),
                  pick(rng, FillTexture.values()))
              .rotated(OrientationBin.values()[label].sampleDegrees(rng)))),
      task("distance", TaskGroup.STRUCTURE, Attribute.DISTANCE,
          List.of("a photo of two objects {}.", "a photo of two shapes {}."),
          (label, rng) -> RandomScenes.pair(rng, RandomScenes.background(rng),
              DistanceBin.values()[label], () -> compactObject(rng))));

  private TaskCatalog() {}

  static List<SyntheticTask> all() {
    return TASKS;
  }

  /** A small, randomly styled object of a compact shape, as pair scenes use. */
  static SceneObject compactObject(SplittableRandom rng) {
    return RandomScenes.object(rng, pick(rng, COMPACT_SHAPES), pick(rng, NamedColor.values()),
        SizeClass.SMALL, pick(rng, FillTexture.values()));
  }

  private static Scene single(SplittableRandom rng, Supplier<SceneObject> draw) {
    return RandomScenes.single(rng, RandomScenes.background(rng), draw, null);
  }

  private static SyntheticTask task(String name, TaskGroup group, Attribute attribute,
      List<String> templates, SyntheticTask.ClassConditionalSampler sampler) {
    return new SyntheticTask(name, group, attribute.classNames(), templates, sampler);
  }
}
