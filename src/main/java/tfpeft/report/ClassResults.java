package tfpeft.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One evaluation's results as {@code report.json} and {@code eval_*.json} store them (see
 * {@code EvalMetrics.toJson}): class names, accuracy per class, the confusion matrix. Read
 * defensively: a matrix that is not square over the named classes is left out, not guessed at.
 */
record ClassResults(List<String> classes, double[] perClass, long[][] confusion, double top1,
    double topK, int k, double meanPerClass, long images) {

  /** The results in {@code o}, or null when it holds no class names. */
  static ClassResults of(JsonObject o) {
    if (o == null || !o.has("classes") || !o.get("classes").isJsonArray()) {
      return null;
    }
    List<String> classes = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray("classes")) {
      classes.add(e.isJsonPrimitive() ? e.getAsString() : e.toString());
    }
    int n = classes.size();
    double[] perClass = new double[n];
    JsonElement pc = o.get("per_class");
    for (int c = 0; c < n; c++) {
      perClass[c] = pc != null && pc.isJsonObject()
          ? RunRecord.number(pc.getAsJsonObject(), classes.get(c)) : Double.NaN;
    }
    long[][] confusion = matrix(o.get("confusion"), n);
    int k = (int) RunRecord.number(o, "k");
    return new ClassResults(classes, perClass, confusion, RunRecord.number(o, "top1"),
        k > 0 ? RunRecord.number(o, "top" + k) : Double.NaN, Math.max(k, 0),
        RunRecord.number(o, "mean_per_class"), (long) RunRecord.number(o, "images"));
  }

  private static long[][] matrix(JsonElement e, int n) {
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != n || n == 0) {
      return null;
    }
    long[][] m = new long[n][n];
    try {
      for (int t = 0; t < n; t++) {
        JsonArray row = e.getAsJsonArray().get(t).getAsJsonArray();
        if (row.size() != n) {
          return null;
        }
        for (int p = 0; p < n; p++) {
          m[t][p] = Math.max(0, row.get(p).getAsLong());
        }
      }
    } catch (RuntimeException ex) {
      return null;
    }
    return m;
  }
}
