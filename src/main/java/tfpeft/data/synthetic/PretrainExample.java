package tfpeft.data.synthetic;

import java.util.Arrays;

/**
 * One pretraining image: its scene, a label per {@link Attribute} ({@link
 * Attribute#NOT_APPLICABLE} where the attribute does not apply) and a caption.
 */
public final class PretrainExample {
  private final Scene scene;
  private final int[] labels;
  private final String caption;

  PretrainExample(Scene scene, int[] labels, String caption) {
    if (labels.length != Attribute.values().length) {
      throw new IllegalArgumentException("expected one label per attribute, got " + labels.length);
    }
    this.scene = scene;
    this.labels = labels.clone();
    this.caption = caption;
  }

  public Scene scene() {
    return scene;
  }

  public int label(Attribute attribute) {
    return labels[attribute.ordinal()];
  }

  /** Labels in {@link Attribute} order. */
  public int[] labels() {
    return labels.clone();
  }

  public String caption() {
    return caption;
  }

  @Override
  public String toString() {
    return "PretrainExample[" + Arrays.toString(labels) + ", " + caption + "]";
  }
}
