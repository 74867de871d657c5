package tfpeft.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Classification results on a split: top-1 and top-k accuracy, accuracy per class and the
 * confusion matrix (row = true class, column = predicted class).
 *
 * @param k the k of top-k (at most the number of classes)
 * @param perClass accuracy of each class; NaN for a class with no images
 */
public record EvalMetrics(int images, int k, double top1, double topK, double[] perClass,
    long[][] confusion) {

  /** Collects predictions one image at a time. */
  public static final class Accumulator {
    private final int classes;
    private final int k;
    private final long[][] confusion;
    private long topKHits;
    private int images;

    public Accumulator(int classes, int k) {
      this.classes = classes;
      this.k = Math.max(1, Math.min(k, classes));
      this.confusion = new long[classes][classes];
    }

    /** Adds an image of class {@code label} scored {@code scores} (ties go to the lower class). */
    public void add(int label, float[] scores) {
      int[] ranked = topK(scores, k);
      confusion[label][ranked[0]]++;
      for (int r : ranked) {
        if (r == label) {
          topKHits++;
          break;
        }
      }
      images++;
    }

    public EvalMetrics result() {
      long hits = 0;
      double[] perClass = new double[classes];
      for (int c = 0; c < classes; c++) {
        long row = 0;
        for (long n : confusion[c]) {
          row += n;
        }
        hits += confusion[c][c];
        perClass[c] = row == 0 ? Double.NaN : confusion[c][c] / (double) row;
      }
      return new EvalMetrics(images, k, images == 0 ? 0 : hits / (double) images,
          images == 0 ? 0 : topKHits / (double) images, perClass, confusion);
    }
  }

  /** The indices of the k highest scores, highest first; equal scores by lower index. */
  static int[] topK(float[] scores, int k) {
    int[] best = new int[k];
    java.util.Arrays.fill(best, -1);
    for (int i = 0; i < scores.length; i++) {
      int pos = k;
      while (pos > 0 && (best[pos - 1] < 0 || scores[i] > scores[best[pos - 1]])) {
        pos--;
      }
      if (pos < k) {
        System.arraycopy(best, pos, best, pos + 1, k - pos - 1);
        best[pos] = i;
      }
    }
    return best;
  }

  public int classes() {
    return perClass.length;
  }

  /** The mean of the per-class accuracies over classes that have images. */
  public double meanPerClass() {
    double sum = 0;
    int n = 0;
    for (double a : perClass) {
      if (!Double.isNaN(a)) {
        sum += a;
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** 2ab / (a + b), 0 when both are 0: the base-to-new protocol's H. */
  public static double harmonicMean(double a, double b) {
    return a + b == 0 ? 0 : 2 * a * b / (a + b);
  }

  public JsonObject toJson(List<String> classNames) {
    JsonObject o = new JsonObject();
    o.addProperty("images", images);
    o.addProperty("top1", top1);
    o.addProperty("top" + k, topK);
    o.addProperty("k", k);
    o.addProperty("mean_per_class", meanPerClass());
    JsonObject per = new JsonObject();
    for (int c = 0; c < perClass.length; c++) {
      per.add(classNames.get(c), Double.isNaN(perClass[c]) ? JsonNull.INSTANCE
          : new JsonPrimitive(perClass[c]));
    }
    o.add("per_class", per);
    JsonArray rows = new JsonArray();
    for (long[] row : confusion) {
      JsonArray r = new JsonArray();
      for (long n : row) {
        r.add(n);
      }
      rows.add(r);
    }
    o.add("confusion", rows);
    JsonArray names = new JsonArray();
    classNames.forEach(names::add);
    o.add("classes", names);
    return o;
  }

  /** "top-1 81.2%  top-5 99.0%  (600 images)". */
  public String headline() {
    return String.format("top-1 %.2f%%  top-%d %.2f%%  mean per class %.2f%%  (%d images)",
        100 * top1, k, 100 * topK, 100 * meanPerClass(), images);
  }

  /**
   * Per-class accuracy and the confusion matrix as text: the whole matrix up to 20 classes,
   * else each class's accuracy and the ten most frequent confusions.
   */
  public List<String> table(List<String> classNames) {
    List<String> out = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int c = 0; c < classes(); c++) {
      String name = classNames.get(c);
      labels.add(c + " " + (name.length() > 20 ? name.substring(0, 19) + "~" : name));
    }
    int width = Math.max(9, labels.stream().mapToInt(String::length).max().orElse(0));
    String label = "%-" + width + "s";
    if (classes() > 20) {
      for (int c = 0; c < classes(); c++) {
        out.add(String.format(label + "  %s", labels.get(c), percent(perClass[c])));
      }
      out.add("most frequent confusions (true -> predicted):");
      List<long[]> pairs = new ArrayList<>();
      for (int t = 0; t < classes(); t++) {
        for (int p = 0; p < classes(); p++) {
          if (t != p && confusion[t][p] > 0) {
            pairs.add(new long[] {confusion[t][p], t, p});
          }
        }
      }
      pairs.sort(Comparator.comparingLong((long[] a) -> -a[0]).thenComparingLong(a -> a[1])
          .thenComparingLong(a -> a[2]));
      for (long[] p : pairs.subList(0, Math.min(10, pairs.size()))) {
        out.add(String.format("  %s -> %s: %d", classNames.get((int) p[1]),
            classNames.get((int) p[2]), p[0]));
      }
      return out;
    }
    int cell = Math.max(3, String.valueOf(images).length()) + 1;
    StringBuilder head = new StringBuilder(String.format(label, "true\\pred"));
    for (int c = 0; c < classes(); c++) {
      head.append(String.format("%" + cell + "d", c));
    }
    out.add(head.append("   accuracy").toString());
    for (int c = 0; c < classes(); c++) {
      StringBuilder row = new StringBuilder(String.format(label, labels.get(c)));
      for (long n : confusion[c]) {
        row.append(String.format("%" + cell + "d", n));
      }
      out.add(row.append(String.format("%11s", percent(perClass[c]))).toString());
    }
    return out;
  }

  private static String percent(double a) {
    return Double.isNaN(a) ? "-" : String.format("%.2f%%", 100 * a);
  }

}
