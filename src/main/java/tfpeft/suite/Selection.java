package tfpeft.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import tfpeft.config.proto.SearchSelection;

/**
 * The per-task search's rule: of a setting's grid points, the one with the highest validation
 * top-1, of the first seed's run ({@link SearchSelection#FIRST_SEED}) or averaged over the
 * seeds' runs ({@link SearchSelection#MEAN_OF_SEEDS}); equal scores keep the earlier point in grid
 * order. The table then reports the selected point's test accuracy over every seed.
 */
public final class Selection {
  private Selection() {}

  /**
   * A setting's selected point.
   *
   * @param score its validation top-1 under the rule
   * @param complete whether every grid point had its runs' results (else the choice is among
   *     those that did)
   * @param problem why nothing could be selected ("" when something was)
   */
  public record Choice(SuitePlan.Point point, double score, boolean complete, String problem) {}

  /** The caption sentence that states the rule. */
  public static String rule(SearchSelection selection, long firstSeed) {
    return selection == SearchSelection.MEAN_OF_SEEDS
        ? "per task, the search's setting with the highest validation top-1 averaged over the"
            + " seeds is selected"
        : "per task, the search's setting with the highest validation top-1 of seed "
            + firstSeed + " is selected and then run with the other seeds";
  }

  /** Selects with the results {@code results} gives (empty for a run without results). */
  public static Choice select(SuitePlan plan, SuitePlan.Setting setting,
      Function<SuitePlan.Run, Optional<RunResults.Result>> results) {
    List<SuitePlan.Point> points = plan.points(setting);
    if (points.size() == 1) {
      return new Choice(points.get(0), Double.NaN, true, "");
    }
    boolean firstSeed = plan.config().getSelection() == SearchSelection.FIRST_SEED;
    long first = plan.seeds().get(0);
    SuitePlan.Point best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    boolean complete = true;
    List<String> wrongSplit = new ArrayList<>();
    for (SuitePlan.Point p : points) {
      double sum = 0;
      int n = 0;
      for (SuitePlan.Run r : plan.runs(setting, p)) {
        if (firstSeed && r.seed() != first) {
          continue;
        }
        Optional<RunResults.Result> res = results.apply(r);
        if (res.isEmpty()) {
          complete = false;
          continue;
        }
        if (!res.get().validationSplit().equals("val")
            || Double.isNaN(res.get().validation())) {
          wrongSplit.add(r.id());
          continue;
        }
        sum += res.get().validation();
        n++;
      }
      if (n == 0) {
        continue;
      }
      double score = sum / n;
      if (score > bestScore) {
        best = p;
        bestScore = score;
      }
    }
    if (!wrongSplit.isEmpty()) {
      return new Choice(null, Double.NaN, false, "the search selects on validation accuracy, but"
          + " " + wrongSplit.get(0) + (wrongSplit.size() > 1 ? " (and " + (wrongSplit.size() - 1)
          + " more)" : "") + " evaluated on no validation split; give the task's data one"
          + " (e.g. a val list, val_fraction, or sampling.val_shots)");
    }
    if (best == null) {
      return new Choice(null, Double.NaN, false, "no run of the search has finished");
    }
    return new Choice(best, bestScore, complete, "");
  }
}
