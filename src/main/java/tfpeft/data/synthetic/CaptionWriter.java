package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * Captions for image-text pretraining. Every attribute word is a class name of a downstream task
 * (taken from the same enums), and several forms echo the zero-shot prompt phrasing ("a photo of
 * two objects far apart", "the red object"), so a model pretrained on these captions can score the
 * task prompts by class name. Forms vary word order and detail; output is lower-case ASCII without
 * final punctuation.
 */
final class CaptionWriter {
  private CaptionWriter() {}

  /** A caption of a one-object scene. */
  static String single(SplittableRandom rng, Scene scene) {
    SceneObject o = scene.first();
    String shape = o.shape().word();
    String color = o.color().word();
    String size = o.size().word();
    String texture = o.texture().word();
    String where = "in the " + o.cell().word();
    String on = "on a " + scene.background().kind().word() + " background";
    if (o.shape() == ShapeKind.BAR && rng.nextBoolean()) {
      String rotated = o.orientation().word();
      return switch (rng.nextInt(3)) {
        case 0 -> join(a(color), "bar rotated", rotated);
        case 1 -> join("a photo of", a(size), texture, "bar rotated", rotated, where);
        default -> join("a photo of a bar at", rotated, on);
      };
    }
    return switch (rng.nextInt(11)) {
      case 0 -> join(a(size), color, texture, shape, on);
      case 1 -> join("a photo of", a(color), shape);
      case 2 -> join(a(color), shape, where);
      case 3 -> join("a photo of", a(texture), shape, on);
      case 4 -> join("a photo of", a(size), shape, where);
      case 5 -> join("the", color, shape, where, on);
      case 6 -> join("a photo of one", color, shape);
      case 7 -> join("a photo of", a(size), color, "object", where);
      case 8 -> join("a photo of the", color, "object", on);
      case 9 -> join("a photo of", a(texture), "object", where);
      default -> join("a photo of", a(shape), "shape", on);
    };
  }

  /** A caption of several objects that share shape, colour, size and texture. */
  static String alike(SplittableRandom rng, Scene scene) {
    SceneObject o = scene.first();
    String count = Attribute.countWord(scene.objects().size());
    String shapes = o.shape().plural();
    String color = o.color().word();
    String on = "on a " + scene.background().kind().word() + " background";
    return switch (rng.nextInt(4)) {
      case 0 -> join("a photo of", count, color, shapes);
      case 1 -> join(count, o.size().word(), o.texture().word(), color, shapes, on);
      case 2 -> join("a photo of", count, color, "objects");
      default -> join(count, shapes, on);
    };
  }

  /** A caption of several unrelated objects: only the count and the background are named. */
  static String mixed(SplittableRandom rng, Scene scene) {
    String count = Attribute.countWord(scene.objects().size());
    return switch (rng.nextInt(3)) {
      case 0 -> join("a photo of", count, "objects");
      case 1 -> join(count, "shapes on a", scene.background().kind().word(), "background");
      default -> join("a photo of", count, "shapes");
    };
  }

  /** A caption of two objects at a distance from {@code bin}. */
  static String pair(SplittableRandom rng, Scene scene, DistanceBin bin) {
    SceneObject first = scene.objects().get(0);
    SceneObject second = scene.objects().get(1);
    return switch (rng.nextInt(3)) {
      case 0 -> join("a photo of two objects", bin.word());
      case 1 -> join(a(first.color().word()), first.shape().word(), "and",
          a(second.color().word()), second.shape().word(), bin.word());
      default -> join("two shapes", bin.word(), "on a", scene.background().kind().word(), "background");
    };
  }

  /** The word with its indefinite article. */
  static String a(String word) {
    return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
  }

  private static String join(String... parts) {
    return String.join(" ", parts);
  }
}
