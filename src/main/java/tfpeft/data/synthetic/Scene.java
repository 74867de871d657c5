package tfpeft.data.synthetic;

import java.util.List;

/** A background and 1 to {@link #MAX_OBJECTS} non-overlapping objects. */
public record Scene(Background background, List<SceneObject> objects) {
  public static final int MAX_OBJECTS = 6;

  public Scene {
    objects = List.copyOf(objects);
    if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
      throw new IllegalArgumentException(
          "a scene has 1 to " + MAX_OBJECTS + " objects, got " + objects.size());
    }
  }

  /** The same objects on another background. */
  public Scene withBackground(Background newBackground) {
    return new Scene(newBackground, objects);
  }

  /** The first (for single-object scenes, the only) object. */
  public SceneObject first() {
    return objects.get(0);
  }
}
