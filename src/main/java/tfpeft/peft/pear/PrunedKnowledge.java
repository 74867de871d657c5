package tfpeft.peft.pear;

import java.util.List;
import tfpeft.config.proto.KnowledgeCheckpoint;

/**
 * Pear's knowledge checkpoint, applied once at the prune step: each shared adapter absorbs the
 * weights of the pruned adapters whose positions it takes over, matrix by matrix (A and B of
 * LoRA, down and up of AdaptFormer; at 1 bit, the latent full-precision weights).
 *
 * <ul>
 *   <li>DA (direct addition): M_s &lt;- M_s + M_p;
 *   <li>SBA (score-based aggregation): M_s &lt;- (a_s M_s + a_p M_p) / (a_s + a_p), with a_s, a_p
 *       set by hand to one value in the paper (section III-A), which makes SBA the plain mean;
 *       the weights the config sets, or, as an option, the two adapters' importance scores.
 * </ul>
 * When more positions are pruned than kept, one shared adapter takes over several; the sums then
 * run over all of them: DA adds every M_p, SBA takes (a_s M_s + sum a_p M_p) / (a_s + sum a_p).
 * If importance weights sum to 0 (no gradient reached these adapters) the mean is taken.
 */
public final class PrunedKnowledge {
  /**
   * @param fromImportance SBA's a_s and a_p are the adapters' importance scores
   * @param sharedWeight SBA's a_s when not from the importance
   * @param prunedWeight SBA's a_p when not from the importance
   */
  public record Rule(KnowledgeCheckpoint mode, boolean fromImportance, double sharedWeight,
      double prunedWeight) {
    public static final Rule NONE = new Rule(KnowledgeCheckpoint.NONE, false, 1, 1);
  }

  private PrunedKnowledge() {}

  /**
   * The matrices of every position after the knowledge checkpoint; {@code matrices[p]} is
   * position p's matrix (one of the pair), row-major. Only kept adapters that take over pruned
   * positions change; the arrays given are not modified.
   */
  public static float[][] absorb(PearPlan plan, Rule rule, float[][] matrices) {
    float[][] out = new float[matrices.length][];
    for (int p = 0; p < matrices.length; p++) {
      out[p] = matrices[p].clone();
    }
    if (rule.mode() == KnowledgeCheckpoint.NONE) {
      return out;
    }
    for (int s : plan.kept()) {
      List<Integer> taken = plan.takenOverBy(s);
      if (taken.isEmpty()) {
        continue;
      }
      double[] acc = new double[matrices[s].length];
      double total;
      if (rule.mode() == KnowledgeCheckpoint.DA) {
        addScaled(acc, matrices[s], 1);
        for (int p : taken) {
          addScaled(acc, matrices[p], 1);
        }
        total = 1;
      } else {
        double as = rule.fromImportance() ? plan.importance()[s] : rule.sharedWeight();
        double[] ap = new double[taken.size()];
        total = as;
        for (int i = 0; i < ap.length; i++) {
          ap[i] = rule.fromImportance() ? plan.importance()[taken.get(i)]
              : rule.prunedWeight();
          total += ap[i];
        }
        if (total == 0) {
          as = 1;
          java.util.Arrays.fill(ap, 1);
          total = 1 + ap.length;
        }
        addScaled(acc, matrices[s], as);
        for (int i = 0; i < ap.length; i++) {
          addScaled(acc, matrices[taken.get(i)], ap[i]);
        }
      }
      for (int i = 0; i < acc.length; i++) {
        out[s][i] = (float) (acc[i] / total);
      }
    }
    return out;
  }

  private static void addScaled(double[] acc, float[] m, double a) {
    if (m.length != acc.length) {
      throw new IllegalArgumentException("shared adapters must have one shape: " + acc.length
          + " vs " + m.length + " values");
    }
    for (int i = 0; i < acc.length; i++) {
      acc[i] += a * m[i];
    }
  }
}
