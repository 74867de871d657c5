package tfpeft.data;

/**
 * A batch of preprocessed images as NHWC float32 and their labels. The image array may be longer
 * than {@code size * height * width * 3} (a partial last batch, or examples skipped as bad); only
 * the first {@code size} images are valid.
 *
 * @param index position of the batch in its epoch
 * @param examples indices (into the split) of the batch's examples, in order
 */
public record Batch(
    int index, int size, int height, int width, float[] images, int[] labels, int[] examples) {
  /** Floats per image. */
  public int imageFloats() {
    return height * width * 3;
  }
}
