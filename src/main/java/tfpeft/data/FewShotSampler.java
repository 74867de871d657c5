package tfpeft.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import tfpeft.util.Seeds;

/**
 * K-shot sampling: K examples of each class, drawn without replacement with the run seed (all of
 * a class's examples when it has fewer, as the CoOp protocol does without repeats). Each class
 * draws from its own stream keyed by (seed, purpose, split, label), so the choice for one class
 * does not depend on the other classes.
 */
public final class FewShotSampler {
  private FewShotSampler() {}

  /** The K-shot subset of {@code split}, in the split's order. */
  public static Split sample(Split split, int numClasses, int shots, long seed) {
    int[] perClass = new int[numClasses];
    Arrays.fill(perClass, shots);
    boolean[] chosen = choose(split, perClass, seed, "fewshot");
    return select(split, split.name(), chosen, true);
  }

  /** Validation shots for a K-shot run: min(K, 4), as in the CoOp protocol. */
  public static int defaultValShots(int shots) {
    return Math.min(shots, 4);
  }

  /**
   * Splits {@code split} into (rest, held out) with {@code perClass[c]} examples of class c held
   * out, drawn under {@code purpose}.
   */
  public static Split[] holdOut(Split split, int[] perClass, long seed, String purpose) {
    boolean[] chosen = choose(split, perClass, seed, purpose);
    return new Split[] {select(split, split.name(), chosen, false),
        select(split, "val", chosen, true)};
  }

  private static boolean[] choose(Split split, int[] perClass, long seed, String purpose) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < perClass.length; c++) {
      byClass.add(new ArrayList<>());
    }
    List<Example> all = split.examples();
    for (int i = 0; i < all.size(); i++) {
      byClass.get(all.get(i).label()).add(i);
    }
    boolean[] chosen = new boolean[all.size()];
    for (int c = 0; c < perClass.length; c++) {
      List<Integer> idx = byClass.get(c);
      SplittableRandom rng =
          new SplittableRandom(Seeds.derive(seed, purpose, split.name(), c));
      int k = Math.min(perClass[c], idx.size());
      // partial Fisher-Yates: the first k positions become a uniform sample without replacement
      for (int i = 0; i < k; i++) {
        int j = i + rng.nextInt(idx.size() - i);
        Integer t = idx.get(i);
        idx.set(i, idx.get(j));
        idx.set(j, t);
        chosen[idx.get(i)] = true;
      }
    }
    return chosen;
  }

  private static Split select(Split split, String name, boolean[] chosen, boolean keep) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < chosen.length; i++) {
      if (chosen[i] == keep) {
        out.add(split.examples().get(i));
      }
    }
    return new Split(name, out);
  }
}
