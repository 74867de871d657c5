package tfpeft.data.synthetic;

import java.util.SplittableRandom;

/**
 * Class-balanced labels for a split. Labels follow one round-robin sequence across the train, val
 * and test splits of a task (split k continues where split k-1 stopped) and are then shuffled
 * within the split. Every split, and every run of consecutive splits such as train+val, therefore
 * has class counts that differ by at most one, however the sizes divide.
 */
final class LabelPlan {
  private LabelPlan() {}

  /**
   * {@code count} labels in [0, numClasses), continuing the round robin at position {@code offset},
   * shuffled with {@code rng}.
   */
  static int[] balanced(int numClasses, int offset, int count, SplittableRandom rng) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("need at least one class, got " + numClasses);
    }
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (offset + i) % numClasses;
    }
    for (int i = count - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int swap = labels[i];
      labels[i] = labels[j];
      labels[j] = swap;
    }
    return labels;
  }
}
