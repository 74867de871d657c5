package tfpeft.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adapter positions laid out as the network is: one row per transformer block, one column per
 * kind of position in a block (attn/q, attn/v, mlp, ...), each cell coloured by what it holds.
 * Sites are named {@code [tower/]block<N>/<position>}, as the methods' variables are.
 */
final class SiteGrid {
  private static final Pattern SITE = Pattern.compile("(.*?)block(\\d+)/(.+)");
  private static final double CELL_W = 84;
  private static final double CELL_H = 22;

  record Cell(String site, String colour, String text, String tooltip) {}

  private final String title;
  private final List<Cell> cells = new ArrayList<>();
  private final List<String[]> legend = new ArrayList<>();

  SiteGrid(String title) {
    this.title = title;
  }

  SiteGrid add(String site, String colour, String text, String tooltip) {
    cells.add(new Cell(site, colour, text, tooltip));
    return this;
  }

  SiteGrid legend(String colour, String meaning) {
    legend.add(new String[] {colour, meaning});
    return this;
  }

  Svg svg() {
    Map<String, Integer> rows = new LinkedHashMap<>();
    Map<String, Integer> cols = new LinkedHashMap<>();
    List<String[]> keys = new ArrayList<>();
    for (Cell c : cells) {
      Matcher m = SITE.matcher(c.site());
      String row = m.matches() ? m.group(1) + "block " + m.group(2) : c.site();
      String col = m.matches() ? m.group(3) : "";
      rows.putIfAbsent(row, rows.size());
      cols.putIfAbsent(col, cols.size());
      keys.add(new String[] {row, col});
    }
    int longest = rows.keySet().stream().mapToInt(String::length).max().orElse(6);
    double left = 16 + 6.5 * Math.min(28, longest);
    double top = 58 + (legend.isEmpty() ? 0 : 4);
    double w = Math.max(Math.max(left + CELL_W * cols.size() + 16, 150 * legend.size() + 32),
        32 + 8.5 * title.length());
    double h = top + CELL_H * rows.size() + 14;
    Svg svg = new Svg(w, h, title);
    svg.text(16, 20, title, 15, "start");
    for (int i = 0; i < legend.size(); i++) {
      double lx = 16 + 150 * i;
      svg.rect(lx, 29, 12, 12, legend.get(i)[0], null)
          .text(lx + 16, 39, legend.get(i)[1], 11, "start");
    }
    for (Map.Entry<String, Integer> c : cols.entrySet()) {
      svg.text(left + CELL_W * (c.getValue() + 0.5), top - 6, Svg.shorten(c.getKey(), 13), 11,
          "middle");
    }
    for (Map.Entry<String, Integer> r : rows.entrySet()) {
      svg.text(left - 6, top + CELL_H * (r.getValue() + 0.5) + 4, Svg.shorten(r.getKey(), 28),
          11, "end");
    }
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      double x = left + CELL_W * cols.get(keys.get(i)[1]);
      double y = top + CELL_H * rows.get(keys.get(i)[0]);
      svg.rect(x + 1, y + 1, CELL_W - 2, CELL_H - 2, c.colour(), c.tooltip());
      if (c.text() != null) {
        svg.text(x + CELL_W / 2, y + CELL_H / 2 + 4, Svg.shorten(c.text(), 13), 10, "middle",
            0, "#fff");
      }
    }
    return svg;
  }
}
