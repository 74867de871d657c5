package tfpeft.data.synthetic;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The attributes labelled for supervised pretraining, in index-column order. Class names are the
 * same words the captions and the downstream tasks use. Which attributes an image has depends on
 * its scene kind (see the package documentation); the others are {@link #NOT_APPLICABLE}.
 */
public enum Attribute {
  SHAPE("shape", words(ShapeKind.values(), ShapeKind::word)),
  COLOR("color", words(NamedColor.values(), NamedColor::word)),
  SIZE("size", words(SizeClass.values(), SizeClass::word)),
  TEXTURE("texture", words(FillTexture.values(), FillTexture::word)),
  BACKGROUND("background", words(BackgroundKind.values(), BackgroundKind::word)),
  /** Label k means k + 1 objects. */
  COUNT("count", List.of("one", "two", "three", "four", "five", "six")),
  POSITION("position", words(GridCell.values(), GridCell::word)),
  ORIENTATION("orientation", words(OrientationBin.values(), OrientationBin::word)),
  DISTANCE("distance", words(DistanceBin.values(), DistanceBin::word));

  /** Label of an attribute that does not apply to an image. */
  public static final int NOT_APPLICABLE = -1;

  private final String key;
  private final List<String> classNames;

  Attribute(String key, List<String> classNames) {
    this.key = key;
    this.classNames = classNames;
  }

  /** Column name in the index and key in attributes.json. */
  public String key() {
    return key;
  }

  /** Class names in label order. */
  public List<String> classNames() {
    return classNames;
  }

  /** The number word for {@code count} objects, 1..6. */
  public static String countWord(int count) {
    return COUNT.classNames.get(count - 1);
  }

  static <E> List<String> words(E[] values, Function<E, String> word) {
    return Arrays.stream(values).map(word).toList();
  }
}
