package tfpeft.data.synthetic;

/** The task groups, after VTAB's natural / specialized / structured split. */
public enum TaskGroup {
  /** What an object looks like: shape, colour, size. */
  APPEARANCE("appearance"),
  /** Surface patterns: object fill and background. */
  TEXTURE("texture"),
  /** Where things are and how they relate: count, position, orientation, distance. */
  STRUCTURE("structure");

  private final String word;

  TaskGroup(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }
}
