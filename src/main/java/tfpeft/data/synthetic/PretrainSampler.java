package tfpeft.data.synthetic;

import static tfpeft.data.synthetic.RandomScenes.pick;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Draws pretraining images. Three scene kinds are mixed:
 *
 * <ul>
 *   <li>single object ({@link #SINGLE_FRACTION}): every attribute except distance is labelled;
 *       orientation only for bars;
 *   <li>several objects, 2 to 6 ({@link #COUNT_FRACTION}): count and background; half of these
 *       share shape, colour, size and texture, and then those are labelled too;
 *   <li>a pair at a distance ({@link #PAIR_FRACTION}): count ("two"), distance and background.
 * </ul>
 */
public final class PretrainSampler {
  public static final double SINGLE_FRACTION = 0.6;
  public static final double COUNT_FRACTION = 0.25;
  public static final double PAIR_FRACTION = 1 - SINGLE_FRACTION - COUNT_FRACTION;

  private PretrainSampler() {}

  /** One example drawn from {@code rng} alone. */
  public static PretrainExample sample(SplittableRandom rng) {
    double kind = rng.nextDouble();
    if (kind < SINGLE_FRACTION) {
      return single(rng);
    }
    if (kind < SINGLE_FRACTION + COUNT_FRACTION) {
      return several(rng);
    }
    return pair(rng);
  }

  private static PretrainExample single(SplittableRandom rng) {
    Background background = RandomScenes.background(rng);
    Scene scene = RandomScenes.single(
        rng, background, () -> RandomScenes.anyObject(rng, SizeClass.values()), null);
    SceneObject object = scene.first();
    int[] labels = unlabelled();
    setObjectLabels(labels, object);
    labels[Attribute.BACKGROUND.ordinal()] = background.kind().ordinal();
    labels[Attribute.COUNT.ordinal()] = 0;
    labels[Attribute.POSITION.ordinal()] = object.cell().ordinal();
    if (object.shape() == ShapeKind.BAR) {
      labels[Attribute.ORIENTATION.ordinal()] = object.orientation().ordinal();
    }
    return new PretrainExample(scene, labels, CaptionWriter.single(rng, scene));
  }

  private static PretrainExample several(SplittableRandom rng) {
    Background background = RandomScenes.background(rng);
    int count = rng.nextInt(2, Scene.MAX_OBJECTS + 1);
    SizeClass[] sizes = RandomScenes.sizesForCount(count);
    boolean alike = rng.nextBoolean();
    Supplier<SceneObject> draw;
    if (alike) {
      ShapeKind shape = pick(rng, ShapeKind.values());
      NamedColor color = pick(rng, NamedColor.values());
      SizeClass size = pick(rng, sizes);
      FillTexture texture = pick(rng, FillTexture.values());
      draw = () -> RandomScenes.object(rng, shape, color, size, texture);
    } else {
      draw = () -> RandomScenes.anyObject(rng, sizes);
    }
    Scene scene = RandomScenes.apart(rng, background, count, draw);
    int[] labels = unlabelled();
    if (alike) {
      setObjectLabels(labels, scene.first());
    }
    labels[Attribute.BACKGROUND.ordinal()] = background.kind().ordinal();
    labels[Attribute.COUNT.ordinal()] = count - 1;
    String caption = alike ? CaptionWriter.alike(rng, scene) : CaptionWriter.mixed(rng, scene);
    return new PretrainExample(scene, labels, caption);
  }

  private static PretrainExample pair(SplittableRandom rng) {
    Background background = RandomScenes.background(rng);
    DistanceBin bin = pick(rng, DistanceBin.values());
    Scene scene = RandomScenes.pair(rng, background, bin, () -> TaskCatalog.compactObject(rng));
    int[] labels = unlabelled();
    labels[Attribute.BACKGROUND.ordinal()] = background.kind().ordinal();
    labels[Attribute.COUNT.ordinal()] = 1;
    labels[Attribute.DISTANCE.ordinal()] = bin.ordinal();
    return new PretrainExample(scene, labels, CaptionWriter.pair(rng, scene, bin));
  }

  private static int[] unlabelled() {
    int[] labels = new int[Attribute.values().length];
    Arrays.fill(labels, Attribute.NOT_APPLICABLE);
    return labels;
  }

  private static void setObjectLabels(int[] labels, SceneObject object) {
    labels[Attribute.SHAPE.ordinal()] = object.shape().ordinal();
    labels[Attribute.COLOR.ordinal()] = object.color().ordinal();
    labels[Attribute.SIZE.ordinal()] = object.size().ordinal();
    labels[Attribute.TEXTURE.ordinal()] = object.texture().ordinal();
  }
}
