package tfpeft.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Horizontal bars, one per named item, with a value axis: per-class accuracy, mask sparsity per
 * layer, Pear's importance per position. A bar may carry its own colour and a note after it.
 */
final class BarChart {
  private static final double ROW = 18;

  record Bar(String label, double value, String colour, String note, String tooltip) {}

  private final String title;
  private final String valueLabel;
  private final List<Bar> bars = new ArrayList<>();
  private final List<String[]> legend = new ArrayList<>();
  private boolean percent;

  BarChart(String title, String valueLabel) {
    this.title = title;
    this.valueLabel = valueLabel;
  }

  /** Values are fractions shown as percentages, on an axis from 0 to at least 100%. */
  BarChart percent() {
    percent = true;
    return this;
  }

  BarChart add(String label, double value, String colour, String note, String tooltip) {
    bars.add(new Bar(label, value, colour, note, tooltip));
    return this;
  }

  BarChart legend(String colour, String meaning) {
    legend.add(new String[] {colour, meaning});
    return this;
  }

  int size() {
    return bars.size();
  }

  Svg svg() {
    int longest = bars.stream().mapToInt(b -> Math.min(26, b.label().length())).max().orElse(4);
    int longestNote = bars.stream().mapToInt(b -> b.note() == null ? 0
        : Math.min(30, b.note().length())).max().orElse(0);
    double left = 16 + 6.2 * longest;
    double plot = 420;
    double right = 16 + 6 * longestNote + 40;
    double top = 36 + (legend.isEmpty() ? 0 : 18);
    double w = left + plot + right;
    double h = top + ROW * bars.size() + 44;
    double hi = percent ? 1 : 0;
    double lo = 0;
    for (Bar b : bars) {
      if (Double.isFinite(b.value())) {
        hi = Math.max(hi, b.value());
        lo = Math.min(lo, b.value());
      }
    }
    Axis axis = percent && hi <= 1 ? new Axis(0, 1, 0.2) : Axis.of(lo, hi, 5);
    Svg svg = new Svg(w, h, title);
    svg.text(w / 2, 20, title, 15, "middle");
    for (int i = 0; i < legend.size(); i++) {
      double lx = left + 130 * i;
      svg.rect(lx, 30, 12, 12, legend.get(i)[0], null)
          .text(lx + 16, 40, legend.get(i)[1], 11, "start");
    }
    double bottom = top + ROW * bars.size();
    for (double t : axis.ticks()) {
      double x = axis.map(t, left, left + plot);
      svg.line(x, top, x, bottom, "#eee", 1).line(x, bottom, x, bottom + 5, "#444", 1)
          .text(x, bottom + 17, percent ? Math.round(100 * t) + "%" : axis.label(t), 11,
              "middle");
    }
    double zero = axis.map(0, left, left + plot);
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = top + ROW * i;
      String shown = Double.isNaN(b.value()) ? "n/a"
          : percent ? Markup.percent(b.value()) : Markup.value(b.value());
      String tip = b.tooltip() != null ? b.tooltip() : b.label() + ": " + shown;
      if (Double.isFinite(b.value())) {
        double x = axis.map(b.value(), left, left + plot);
        svg.rect(Math.min(zero, x), y + 3, Math.abs(x - zero), ROW - 6, b.colour() == null
            ? Svg.PALETTE[0] : b.colour(), tip);
      }
      svg.text(left - 6, y + ROW / 2 + 4, Svg.shorten(b.label(), 26), 11, "end");
      String note = shown + (b.note() == null ? "" : "  " + Svg.shorten(b.note(), 30));
      svg.text(left + plot + 6, y + ROW / 2 + 4, note, 11, "start");
    }
    svg.line(zero, top, zero, bottom, "#444", 1).line(left, bottom, left + plot, bottom, "#444", 1);
    svg.text(left + plot / 2, h - 8, valueLabel, 12, "middle");
    return svg;
  }
}
