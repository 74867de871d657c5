package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Pear's decision at the end of warm-up: which adapters are pruned and which adapter each
 * position uses from then on.
 *
 * <p>Positions are ranked by importance (highest first; equal scores keep position order). The
 * lowest floor(P * ratio) are pruned. With sharing, the i-th most important pruned position takes
 * the i-th most important kept adapter ("matched by rank"); when more positions are pruned than
 * kept (ratio above 1/2) the kept adapters are dealt out again from the top. Without sharing
 * (vanilla pruning) a pruned position uses no adapter.
 *
 * @param sites the positions, in build order
 * @param importance each position's accumulated importance
 * @param uses the index of the adapter each position uses: itself when kept, a kept position when
 *     shared, -1 when pruned and not shared
 * @param pruned whether each position's own adapter is pruned
 */
public record PearPlan(List<String> sites, double[] importance, boolean[] pruned, int[] uses) {
  public PearPlan {
    sites = List.copyOf(sites);
    int n = sites.size();
    if (importance.length != n || pruned.length != n || uses.length != n) {
      throw new IllegalArgumentException("plan arrays must have " + n + " entries");
    }
    for (int p = 0; p < n; p++) {
      int u = uses[p];
      if (u >= n || (u >= 0 && pruned[u]) || (!pruned[p] && u != p)) {
        throw new IllegalArgumentException("position " + sites.get(p) + " uses " + u);
      }
    }
  }

  /** The plan for {@code importance} at prune ratio {@code ratio}, sharing or not. */
  public static PearPlan decide(List<String> sites, double[] importance, double ratio,
      boolean share) {
    int n = sites.size();
    Integer[] order = rankOrder(importance);
    int pruneCount = pruneCount(n, ratio);
    int keepCount = n - pruneCount;
    boolean[] pruned = new boolean[n];
    int[] uses = new int[n];
    for (int i = 0; i < keepCount; i++) {
      uses[order[i]] = order[i];
    }
    for (int i = 0; i < pruneCount; i++) {
      int p = order[keepCount + i];
      pruned[p] = true;
      uses[p] = share ? order[i % keepCount] : -1;
    }
    return new PearPlan(sites, importance.clone(), pruned, uses);
  }

  /** floor(n * ratio) positions are pruned, and at least one adapter is kept. */
  public static int pruneCount(int n, double ratio) {
    return Math.min(n - 1, (int) Math.floor(n * ratio + 1e-6));
  }

  /** Position indices from the most to the least important. */
  static Integer[] rankOrder(double[] importance) {
    Integer[] order = new Integer[importance.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -importance[i])
        .thenComparingInt(i -> i));
    return order;
  }

  /** 1 for the most important position. */
  public int rank(int position) {
    Integer[] order = rankOrder(importance);
    for (int i = 0; i < order.length; i++) {
      if (order[i] == position) {
        return i + 1;
      }
    }
    throw new IndexOutOfBoundsException(position);
  }

  public int size() {
    return sites.size();
  }

  /** Positions whose own adapter is kept, in position order. */
  public List<Integer> kept() {
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < pruned.length; p++) {
      if (!pruned[p]) {
        out.add(p);
      }
    }
    return out;
  }

  /** The pruned positions that use kept adapter {@code s}, most important first. */
  public List<Integer> takenOverBy(int s) {
    List<Integer> out = new ArrayList<>();
    for (int p : rankOrder(importance)) {
      if (pruned[p] && uses[p] == s) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * The routing matrix [P, P], row-major: row p is one-hot at the adapter position p uses (all
   * zeros when it uses none), so position p's matrices are sum_k R[p, k] M_k.
   */
  public float[] routing() {
    int n = size();
    float[] r = new float[n * n];
    for (int p = 0; p < n; p++) {
      if (uses[p] >= 0) {
        r[p * n + uses[p]] = 1f;
      }
    }
    return r;
  }

  /** The routing before the prune step: every position uses its own adapter. */
  public static float[] identityRouting(int n) {
    float[] r = new float[n * n];
    for (int p = 0; p < n; p++) {
      r[p * n + p] = 1f;
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PearPlan other && sites.equals(other.sites)
        && Arrays.equals(importance, other.importance) && Arrays.equals(pruned, other.pruned)
        && Arrays.equals(uses, other.uses);
  }

  @Override
  public int hashCode() {
    return sites.hashCode() * 31 + Arrays.hashCode(uses);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int p = 0; p < size(); p++) {
      b.append(String.format("%-24s importance %-12.6g %s%n", sites.get(p), importance[p],
          !pruned[p] ? "kept" : uses[p] < 0 ? "pruned" : "pruned, uses " + sites.get(uses[p])));
    }
    return b.toString();
  }
}
