package tfpeft.report;

import static tfpeft.report.Markup.escape;
import static tfpeft.report.Markup.num;

/**
 * A standalone SVG document built element by element. Text uses the reader's own sans-serif
 * font (no font is fetched); every string from a file goes through {@link Markup#escape}.
 */
final class Svg {
  /** Colours that stay apart for colour-blind readers (Okabe and Ito's palette). */
  static final String[] PALETTE = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
      "#56B4E9", "#000000"};
  static final String FONT = "font-family=\"sans-serif\"";

  private final StringBuilder body = new StringBuilder();
  private final double width;
  private final double height;
  private final String label;

  /** A drawing of {@code width} x {@code height} user units; {@code label} is its accessible name. */
  Svg(double width, double height, String label) {
    this.width = width;
    this.height = height;
    this.label = label;
  }

  Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth) {
    body.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1))
        .append("\" x2=\"").append(num(x2)).append("\" y2=\"").append(num(y2))
        .append("\" stroke=\"").append(stroke).append("\" stroke-width=\"")
        .append(num(strokeWidth)).append("\"/>\n");
    return this;
  }

  /** A rectangle; {@code tooltip} (may be null) shows on hover through its {@code <title>}. */
  Svg rect(double x, double y, double w, double h, String fill, String tooltip) {
    body.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" width=\"").append(num(Math.max(0, w))).append("\" height=\"")
        .append(num(Math.max(0, h))).append("\" fill=\"").append(fill).append('"');
    if (tooltip == null) {
      body.append("/>\n");
    } else {
      body.append("><title>").append(escape(tooltip)).append("</title></rect>\n");
    }
    return this;
  }

  Svg outline(double x, double y, double w, double h, String stroke) {
    body.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
        .append("\" fill=\"none\" stroke=\"").append(stroke).append("\"/>\n");
    return this;
  }

  Svg circle(double cx, double cy, double r, String fill, String tooltip) {
    body.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy))
        .append("\" r=\"").append(num(r)).append("\" fill=\"").append(fill).append('"');
    if (tooltip == null) {
      body.append("/>\n");
    } else {
      body.append("><title>").append(escape(tooltip)).append("</title></circle>\n");
    }
    return this;
  }

  /** A polyline through the points; a NaN y breaks the line there. */
  Svg polyline(double[] xs, double[] ys, String stroke, double strokeWidth) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i <= xs.length; i++) {
      boolean gap = i == xs.length || !Double.isFinite(ys[i]) || !Double.isFinite(xs[i]);
      if (gap) {
        if (points.length() > 0) {
          body.append("<polyline fill=\"none\" stroke=\"").append(stroke)
              .append("\" stroke-width=\"").append(num(strokeWidth))
              .append("\" stroke-linejoin=\"round\" points=\"").append(points.toString().strip())
              .append("\"/>\n");
          points.setLength(0);
        }
      } else {
        points.append(num(xs[i])).append(',').append(num(ys[i])).append(' ');
      }
    }
    return this;
  }

  /** Text; {@code anchor} is start, middle or end; {@code rotate} in degrees about (x, y). */
  Svg text(double x, double y, String text, double size, String anchor, double rotate,
      String fill) {
    body.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" ")
        .append(FONT).append(" font-size=\"").append(num(size)).append("\" text-anchor=\"")
        .append(anchor).append("\" fill=\"").append(fill).append('"');
    if (rotate != 0) {
      body.append(" transform=\"rotate(").append(num(rotate)).append(' ').append(num(x))
          .append(' ').append(num(y)).append(")\"");
    }
    body.append('>').append(escape(text)).append("</text>\n");
    return this;
  }

  Svg text(double x, double y, String text, double size, String anchor) {
    return text(x, y, text, size, anchor, 0, "#222");
  }

  double width() {
    return width;
  }

  double height() {
    return height;
  }

  /** The document: scales to its container's width, keeping its aspect ratio. */
  String document() {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" role=\"img\" viewBox=\"0 0 "
        + num(width) + " " + num(height) + "\" width=\"" + num(width) + "\" height=\""
        + num(height) + "\" aria-label=\"" + escape(label) + "\">\n<title>" + escape(label)
        + "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n" + body + "</svg>\n";
  }

  /** A name shortened to {@code max} characters, with a tilde where it was cut. */
  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "~";
  }
}
