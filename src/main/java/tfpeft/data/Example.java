package tfpeft.data;

import tfpeft.data.image.RgbImage;

/**
 * One labelled image of a split.
 *
 * @param origin where it came from, for messages: "list.txt:17 (images/a.jpg)", a path, or
 *     "train-images-idx3-ubyte.gz item 5"
 * @param label class index, 0-based
 * @param image how to get its pixels
 */
public record Example(String origin, int label, ImageSource image) {
  /** Yields the pixels of one example; file-backed sources decode on each call. */
  @FunctionalInterface
  public interface ImageSource {
    RgbImage load();
  }

  public Example withLabel(int newLabel) {
    return new Example(origin, newLabel, image);
  }
}
