package tfpeft.report;

import java.util.List;
import java.util.Locale;

/**
 * The confusion matrix as a heat map: rows are true classes, columns predicted ones, each cell
 * shaded by its share of its row (normalized per true class, so a rare class reads as clearly as
 * a frequent one), the count and share on hover.
 */
final class HeatMap {
  private HeatMap() {}

  static Svg confusion(long[][] counts, List<String> classes) {
    int n = counts.length;
    double cell = Math.max(6, Math.min(36, 560.0 / Math.max(1, n)));
    boolean labels = cell >= 9;
    double font = Math.min(11, cell * 0.8);
    int longest = labels ? classes.stream().mapToInt(String::length).max().orElse(1) : 0;
    double margin = labels ? 14 + font * 0.6 * Math.min(22, longest) : 20;
    double left = margin + 24;
    double top = 40;
    double size = cell * n;
    double legend = 70;
    double w = left + size + legend;
    double h = top + size + margin + 30;
    Svg svg = new Svg(w, h, "Confusion matrix, normalized per true class");
    svg.text(left + size / 2, 20, "Confusion matrix (share of each true class)", 15, "middle");
    boolean numbers = cell >= 28;
    for (int t = 0; t < n; t++) {
      long row = 0;
      for (long c : counts[t]) {
        row += c;
      }
      for (int p = 0; p < n; p++) {
        double share = row == 0 ? 0 : (double) counts[t][p] / row;
        String tip = String.format(Locale.ROOT, "true %s, predicted %s: %d of %d (%s)",
            classes.get(t), classes.get(p), counts[t][p], row, Markup.percent(share));
        svg.rect(left + p * cell, top + t * cell, cell, cell, shade(share), tip);
        if (numbers && counts[t][p] > 0) {
          svg.text(left + (p + 0.5) * cell, top + (t + 0.5) * cell + 4,
              Long.toString(Math.round(100 * share)), 10, "middle", 0,
              share > 0.55 ? "#fff" : "#222");
        }
      }
    }
    svg.outline(left, top, size, size, "#444");
    if (labels) {
      for (int c = 0; c < n; c++) {
        String name = Svg.shorten(classes.get(c), 22);
        svg.text(left - 6, top + (c + 0.5) * cell + font * 0.35, name, font, "end");
        double x = left + (c + 0.5) * cell + font * 0.35;
        svg.text(x, top + size + 6, name, font, "end", -90, "#222");
      }
    }
    svg.text(14, top + size / 2, "true class", 12, "middle", -90, "#222");
    svg.text(left + size / 2, h - 8, "predicted class", 12, "middle");
    double lx = left + size + 20;
    for (int i = 0; i < 10; i++) {
      double v = 1 - i / 9.0;
      svg.rect(lx, top + i * 16, 14, 16, shade(v), null);
    }
    svg.text(lx + 18, top + 10, "100%", 10, "start").text(lx + 18, top + 160, "0%", 10, "start");
    return svg;
  }

  /** White to dark blue by {@code share} in [0, 1]. */
  static String shade(double share) {
    double s = Math.max(0, Math.min(1, share));
    int r = (int) Math.round(255 + (8 - 255) * s);
    int g = (int) Math.round(255 + (48 - 255) * s);
    int b = (int) Math.round(255 + (107 - 255) * s);
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }
}
