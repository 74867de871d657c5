package tfpeft.data;

import java.util.ArrayList;
import java.util.List;
import tfpeft.config.proto.ClassSubset;

/**
 * The base-to-new protocol's class split: with the labels sorted, the first ceil(n/2) are base
 * and the rest are new; either subset is relabelled from 0 in the same order.
 */
public final class ClassSplit {
  private ClassSplit() {}

  /** Number of base classes of an n-class dataset. */
  public static int baseCount(int numClasses) {
    return (numClasses + 1) / 2;
  }

  /** Restricts every split (and the class names) of {@code d} to {@code subset}. */
  public static Dataset apply(Dataset d, ClassSubset subset) {
    if (subset == ClassSubset.ALL) {
      return d;
    }
    int base = baseCount(d.numClasses());
    int from = subset == ClassSubset.BASE ? 0 : base;
    int to = subset == ClassSubset.BASE ? base : d.numClasses();
    return d.withSplits(d.classNames().subList(from, to),
        keep(d.train(), from, to), keep(d.val(), from, to), keep(d.test(), from, to));
  }

  private static Split keep(Split split, int from, int to) {
    List<Example> out = new ArrayList<>();
    for (Example e : split.examples()) {
      if (e.label() >= from && e.label() < to) {
        out.add(e.withLabel(e.label() - from));
      }
    }
    return new Split(split.name(), out);
  }
}
