package tfpeft.data.synthetic;

/** The 3x3 cells of the image, named as a caption would say where an object is. */
public enum GridCell {
  TOP_LEFT("top left"),
  TOP_CENTER("top center"),
  TOP_RIGHT("top right"),
  MIDDLE_LEFT("middle left"),
  CENTER("center"),
  MIDDLE_RIGHT("middle right"),
  BOTTOM_LEFT("bottom left"),
  BOTTOM_CENTER("bottom center"),
  BOTTOM_RIGHT("bottom right");

  private final String word;

  GridCell(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  /** 0 (top) .. 2 (bottom). */
  public int row() {
    return ordinal() / 3;
  }

  /** 0 (left) .. 2 (right). */
  public int column() {
    return ordinal() % 3;
  }

  /** The cell holding the point (x, y), both fractions of the image side in [0, 1]. */
  public static GridCell of(double x, double y) {
    int column = Math.min(2, Math.max(0, (int) Math.floor(x * 3)));
    int row = Math.min(2, Math.max(0, (int) Math.floor(y * 3)));
    return values()[row * 3 + column];
  }
}
