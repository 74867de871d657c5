package tfpeft.data;

import java.util.List;

/**
 * A named list of examples ("train", "val", "test").
 */
public record Split(String name, List<Example> examples) {
  public Split {
    examples = List.copyOf(examples);
  }

  public int size() {
    return examples.size();
  }

  public boolean isEmpty() {
    return examples.isEmpty();
  }

  /** Examples per class, for a dataset with {@code numClasses} classes. */
  public int[] classCounts(int numClasses) {
    int[] counts = new int[numClasses];
    for (Example e : examples) {
      counts[e.label()]++;
    }
    return counts;
  }
}
