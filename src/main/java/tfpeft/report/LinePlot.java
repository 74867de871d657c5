package tfpeft.report;

import java.util.ArrayList;
import java.util.List;

/** Lines over a shared x axis, with ticks, axis labels and a legend: the training curves. */
final class LinePlot {
  private static final double W = 640;
  private static final double H = 300;
  private static final double LEFT = 64;
  private static final double RIGHT = 16;
  private static final double TOP = 34;
  private static final double BOTTOM = 46;

  record Series(String name, double[] x, double[] y, boolean markers) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private Double yMin;
  private Double yMax;
  private double xMinStep;

  LinePlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** A line; with {@code markers} each point is also a dot with its value on hover. */
  LinePlot add(String name, double[] x, double[] y, boolean markers) {
    series.add(new Series(name, x, y, markers));
    return this;
  }

  /** Fixes the y range to include [lo, hi] (e.g. accuracy in [0, 1]). */
  LinePlot yRange(double lo, double hi) {
    yMin = lo;
    yMax = hi;
    return this;
  }

  /** The x values are counts (epochs, steps): ticks at whole numbers. */
  LinePlot wholeX() {
    xMinStep = 1;
    return this;
  }

  boolean isEmpty() {
    return series.stream().allMatch(s -> s.x().length == 0);
  }

  Svg svg() {
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = yMin != null ? yMin : Double.POSITIVE_INFINITY;
    double y1 = yMax != null ? yMax : Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, s.y()[i]);
          y1 = Math.max(y1, s.y()[i]);
        }
      }
    }
    Axis ax = Axis.of(x0, x1, 8, xMinStep);
    Axis ay = Axis.of(y0, y1, 5);
    double px0 = LEFT;
    double px1 = W - RIGHT;
    double py0 = H - BOTTOM;
    double py1 = TOP;
    Svg svg = new Svg(W, H, title);
    svg.text(W / 2, 20, title, 15, "middle");
    for (double t : ax.ticks()) {
      double px = ax.map(t, px0, px1);
      svg.line(px, py1, px, py0, "#eee", 1).line(px, py0, px, py0 + 5, "#444", 1)
          .text(px, py0 + 18, ax.label(t), 11, "middle");
    }
    for (double t : ay.ticks()) {
      double py = ay.map(t, py0, py1);
      svg.line(px0, py, px1, py, "#eee", 1).line(px0 - 5, py, px0, py, "#444", 1)
          .text(px0 - 8, py + 4, ay.label(t), 11, "end");
    }
    svg.line(px0, py0, px1, py0, "#444", 1).line(px0, py0, px0, py1, "#444", 1);
    svg.text((px0 + px1) / 2, H - 8, xLabel, 12, "middle");
    svg.text(16, (py0 + py1) / 2, yLabel, 12, "middle", -90, "#222");
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String colour = Svg.PALETTE[k % Svg.PALETTE.length];
      double[] xs = new double[s.x().length];
      double[] ys = new double[s.y().length];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = ax.map(s.x()[i], px0, px1);
        ys[i] = Double.isFinite(s.y()[i]) ? ay.map(s.y()[i], py0, py1) : Double.NaN;
      }
      svg.polyline(xs, ys, colour, 1.8);
      if (s.markers() || xs.length == 1) {
        for (int i = 0; i < xs.length; i++) {
          if (Double.isFinite(ys[i])) {
            svg.circle(xs[i], ys[i], 3.5, colour, s.name() + " at " + xLabel + " "
                + Markup.value(s.x()[i]) + ": " + Markup.value(s.y()[i]));
          }
        }
      }
      if (series.size() > 1) {
        double lx = px1 - 170;
        double ly = TOP + 6 + 16 * k;
        svg.line(lx, ly, lx + 18, ly, colour, 2.5).text(lx + 24, ly + 4, s.name(), 11, "start");
      }
    }
    return svg;
  }
}
