package tfpeft.data.image;

/** Tiny hand-made images for tests whose expected pixels are worked out by hand. */
final class Images {
  private Images() {}

  /** A gray image (R = G = B) from rows of values. */
  static RgbImage gray(int[][] rows) {
    int h = rows.length;
    int w = rows[0].length;
    RgbImage image = RgbImage.blank(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          image.set(x, y, c, rows[y][x]);
        }
      }
    }
    return image;
  }

  /** An image whose pixel (x, y) is gray value {@code 10 * y + x + 1}: positions are readable. */
  static RgbImage numbered(int w, int h) {
    int[][] rows = new int[h][w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        rows[y][x] = 10 * y + x + 1;
      }
    }
    return gray(rows);
  }
}
