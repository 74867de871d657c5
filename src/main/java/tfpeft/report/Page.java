package tfpeft.report;

import static tfpeft.report.Markup.escape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTML page under construction and the SVG files that go beside it. The page is polyglot
 * HTML5 (also well-formed XML), needs no script, font or network: each plot is inline, so the
 * page alone is complete, and also written as its own {@code .svg} file, linked under the plot.
 */
final class Page {
  private static final String STYLE = """
      body{font-family:sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 40px;\
      color:#222;line-height:1.4}
      h1{font-size:1.6em;margin:18px 0 4px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;\
      margin-top:32px}
      .facts{display:flex;flex-wrap:wrap;gap:8px 24px;margin:8px 0}\
      .facts div{min-width:150px}.facts b{display:block;font-size:1.3em}
      .missing{background:#fff6e0;border:1px solid #e6c66a;padding:8px 14px;margin:12px 0}
      figure{display:inline-block;vertical-align:top;margin:8px 16px 16px 0;max-width:100%}
      figure svg{max-width:100%;height:auto;display:block}
      figcaption{font-size:.9em;color:#555;max-width:640px}
      table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;\
      text-align:left}td.n{text-align:right}
      .scroll{overflow-x:auto;max-width:100%}
      pre{background:#f6f6f6;padding:10px;overflow-x:auto;font-size:.85em}
      nav a{margin-right:12px}
      """;

  private final StringBuilder body = new StringBuilder();
  private final Map<String, String> files = new LinkedHashMap<>();
  private int figures;

  /** Appends markup (already escaped). */
  Page raw(String html) {
    body.append(html);
    return this;
  }

  /** Appends escaped text inside {@code tag}. */
  Page element(String tag, String text) {
    body.append('<').append(tag).append('>').append(escape(text)).append("</").append(tag)
        .append(">\n");
    return this;
  }

  Page section(String id, String heading) {
    body.append("<section id=\"").append(id).append("\">\n<h2>").append(escape(heading))
        .append("</h2>\n");
    return this;
  }

  Page endSection() {
    body.append("</section>\n");
    return this;
  }

  /** A plot, inline and as {@code file} beside the page, with a caption. */
  Page figure(String file, Svg svg, String caption) {
    if (files.containsKey(file)) {
      throw new IllegalStateException("two plots named " + file);
    }
    String doc = svg.document();
    files.put(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc);
    figures++;
    body.append("<figure data-plot=\"").append(escape(file)).append("\">\n").append(doc)
        .append("<figcaption>").append(escape(caption)).append(" <a href=\"")
        .append(escape(file)).append("\">").append(escape(file)).append("</a></figcaption>\n")
        .append("</figure>\n");
    return this;
  }

  /** A table; {@code numeric} marks right-aligned columns. */
  Page table(String[] header, java.util.List<String[]> rows, boolean... numeric) {
    body.append("<div class=\"scroll\"><table>\n<tr>");
    for (String h : header) {
      body.append("<th>").append(escape(h)).append("</th>");
    }
    body.append("</tr>\n");
    for (String[] r : rows) {
      body.append("<tr>");
      for (int i = 0; i < r.length; i++) {
        body.append(i < numeric.length && numeric[i] ? "<td class=\"n\">" : "<td>")
            .append(escape(r[i])).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</table></div>\n");
    return this;
  }

  int figures() {
    return figures;
  }

  /** The SVG files by name, in the order the page shows them. */
  Map<String, String> files() {
    return files;
  }

  String html(String title) {
    return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
        + "<meta charset=\"utf-8\"/>\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        + "<meta name=\"generator\" content=\"" + ReportWriter.GENERATOR + "\"/>\n"
        + "<title>" + escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n"
        + "<body>\n" + body + "</body>\n</html>\n";
  }
}
