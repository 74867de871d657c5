package tfpeft.report;

import java.util.List;

/**
 * The plots of a suite's report ({@code tfpeft suite report}), drawn with the run report's
 * charts: accuracy against shots, one line per method; and one bar per method.
 */
public final class SuiteCharts {
  private SuiteCharts() {}

  /**
   * An SVG document of lines over a shared x axis (accuracy fractions on y, from 0 to 1); a NaN
   * leaves a gap.
   */
  public static String lines(String title, String xLabel, String yLabel, double[] x,
      List<String> names, List<double[]> ys) {
    LinePlot plot = new LinePlot(title, xLabel, yLabel).yRange(0, 1);
    for (int i = 0; i < names.size(); i++) {
      plot.add(names.get(i), x, ys.get(i), true);
    }
    return plot.svg().document();
  }

  /** An SVG document of one bar per label, values as percentages; NaN shows as n/a. */
  public static String bars(String title, String valueLabel, List<String> labels,
      double[] values) {
    BarChart chart = new BarChart(title, valueLabel).percent();
    for (int i = 0; i < labels.size(); i++) {
      chart.add(labels.get(i), values[i], Svg.PALETTE[i % Svg.PALETTE.length], null, null);
    }
    return chart.svg().document();
  }
}
